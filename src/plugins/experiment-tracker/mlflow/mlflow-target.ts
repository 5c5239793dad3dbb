import type { Status } from "../../../core/run-log.js";
import type { TrackedBranch, TrackedRun } from "../../../ports/experiment-tracker.js";
import type { MlflowClient, MlflowKeyValue } from "./mlflow-client.js";
import { emptyPending, MLFLOW_LIMITS, type PendingData, sanitiseKey, truncateCodePoints } from "./mlflow-mapping.js";
import { createParamLedger, type ParamLedger } from "./mlflow-params.js";

// The MLflow runs one tracker writes to: the pipeline run's (the parent) and one child run per map
// item or parallel branch that records anything (MLflow's nested runs: tagged `mlflow.parentRunId`).
// A child is made when its first values are sent: found by its tags first when the parent existed
// before this process (a retry, another process of the run), so no item ever gets two children.

/** One MLflow run the tracker writes to, and what waits to be sent to it. */
export interface Target {
  /** "" for the parent; a child's branch internal name (its key in the run log). */
  readonly key: string;
  /** A child's map items and parallel branches, outermost first (it is the last). */
  readonly branches: readonly TrackedBranch[];
  /** The MLflow run id, once created or found. */
  runId: string | null;
  readonly pending: PendingData;
  readonly params: ParamLedger;
  /** Points published per step, mirrored as the `runnable.step.<name>` tag. */
  readonly stepPoints: Map<string, number>;
  /** When its first values were published (the child's start time). */
  readonly startMs: number;
  /** Close the MLflow run with this status once everything pending is sent. */
  closing: Status | null;
  closed: boolean;
  /** Only close it if it exists already (a branch that ended without values in this process). */
  findOnly: boolean;
  /** It could not be created: what is published for it is counted lost. */
  failed: boolean;
}

/** A target with nothing pending yet. */
export function newTarget(key: string, branches: readonly TrackedBranch[], warn: (message: string) => void, startMs: number): Target {
  return {
    key,
    branches,
    runId: null,
    pending: emptyPending(),
    params: createParamLedger(warn),
    stepPoints: new Map(),
    startMs,
    closing: null,
    closed: false,
    findOnly: false,
    failed: false,
  };
}

const tag = (key: string, value: string): MlflowKeyValue => ({ key, value: truncateCodePoints(value, MLFLOW_LIMITS.tagValueLength) });

/** The run name of a child: its branch (`sweep.0.01`). */
export const childName = (target: Target): string => target.key;

/** A child's tags: its parent, the run, the composite step and the branch (what finds it again). */
export function childTags(target: Target, parentRunId: string, run: TrackedRun): MlflowKeyValue[] {
  const last = target.branches.at(-1);
  return [
    tag("mlflow.parentRunId", parentRunId),
    tag("runnable.run_id", run.runId),
    tag("runnable.pipeline", run.pipelineName),
    tag("runnable.step", last?.step ?? ""),
    tag("runnable.branch", target.key),
    ...(run.gitCommit ? [tag("mlflow.source.git.commit", run.gitCommit)] : []),
  ];
}

/** Queues a child's params: the run's parameters, then the iterate value of every map and parallel branch above it (they win). */
export function queueChildParams(target: Target, run: TrackedRun): void {
  const values = new Map<string, unknown>(Object.entries(run.parameters ?? {}));
  for (const branch of target.branches) values.set(branch.name, branch.value);
  for (const [key, value] of values) {
    const param = target.params.admit(sanitiseKey(key), value, branchParam(target, key) ? `the item ${target.key}` : "the run's parameters");
    if (param) target.pending.params.push(param);
  }
}

const branchParam = (target: Target, key: string): boolean => target.branches.some((b) => b.name === key);

/** The text of a filter value in MLflow's search syntax, or null when it cannot be quoted. */
function quoted(value: string): string | null {
  if (!value.includes("'")) return `'${value}'`;
  return value.includes('"') ? null : `"${value}"`;
}

/** The child of `parentRunId` for a branch, as another process (or an earlier try) made it; null when there is none. */
export async function findChild(client: MlflowClient, experimentId: string, parentRunId: string, target: Target): Promise<string | null> {
  const branch = quoted(target.key);
  if (branch === null) return null;
  const filter = `tags.\`mlflow.parentRunId\` = '${parentRunId}' and tags.\`runnable.branch\` = ${branch}`;
  const found = (await client.searchRuns([experimentId], filter, 1))[0];
  if (!found) return null;
  target.params.seed(found.data.params ?? []);
  if (found.info.status !== "RUNNING" && !target.findOnly) await client.updateRun(found.info.run_id, "RUNNING");
  return found.info.run_id;
}
