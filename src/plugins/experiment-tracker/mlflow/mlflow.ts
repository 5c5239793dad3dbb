import { messageOf } from "../../../core/errors.js";
import type { Status } from "../../../core/run-log.js";
import type { ExperimentTracker, MetricPoint, TrackedBranch, TrackedRun } from "../../../ports/experiment-tracker.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { createMlflowClient, type MlflowClientStats, type MlflowKeyValue } from "./mlflow-client.js";
import { mlflowFailureOf } from "./mlflow-failures.js";
import { MLFLOW_LIMITS, truncateCodePoints } from "./mlflow-mapping.js";
import { buffer, DEFAULT_CONCURRENCY, drain, dropPending, type MlflowState, noteFailure, RUN_STATUS, schedule, summary, targetFor } from "./mlflow-state.js";
import { newTarget } from "./mlflow-target.js";

/** The validated `config` of the `mlflow` tracker. */
export interface MlflowTrackerConfig {
  server_url: string;
  headers?: Record<string, string> | undefined;
  timeout_ms: number;
  experiment_name?: string | undefined;
  /** MLflow runs (the parent, children) sent to at once. */
  max_concurrent_requests?: number | undefined;
}

/** Test and benchmark hooks of {@link createMlflowTracker}. */
export interface MlflowTrackerDeps {
  fetch?: typeof fetch;
  /** How long published points wait to be batched before a request is sent (default 100 ms). */
  lingerMs?: number;
  /** First retry delay of the client (default 200 ms). */
  backoffMs?: number;
}

/** The `mlflow` tracker, plus its client's counters for benchmarks. */
export interface MlflowTracker extends ExperimentTracker {
  stats(): MlflowClientStats;
}

/**
 * Mirrors a run to MLflow: one MLflow run per runnable run, with a child run per map item or parallel
 * branch that records anything (nested runs); numbers as metrics, other values as `<key>_<step>`
 * params, sent in background batches (mlflow-state.ts). Never throws; problems end in one warning per run.
 */
export function createMlflowTracker(config: MlflowTrackerConfig, context: PluginContext, deps: MlflowTrackerDeps = {}): MlflowTracker {
  const state = trackerState(config, context, deps);
  return {
    type: "mlflow",
    traits: { server: { url: config.server_url, setting: "server_url" } },
    recordedConfig: {
      server_url: config.server_url,
      timeout_ms: config.timeout_ms,
      ...(config.experiment_name !== undefined ? { experiment_name: config.experiment_name } : {}),
    },
    startRun: (run) => startRun(state, config, run),
    publish: async (stepName, points, branches) => publish(state, stepName, points, branches),
    endBranch: async (branches, status) => endBranch(state, branches, status),
    endRun: (status) => endRun(state, status, context.warn),
    runUrl() {
      if (!state.run) return undefined;
      const { experimentId, runId } = state.run;
      return `${state.client.serverUrl}/#/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(runId)}`;
    },
    clientContext() {
      if (!state.run) return {};
      const { experimentId, runId } = state.run;
      return { tracking_uri: state.client.serverUrl, experiment_id: experimentId, run_id: runId, headers: { ...config.headers } };
    },
    stats: () => state.client.stats(),
  };
}

function trackerState(config: MlflowTrackerConfig, context: PluginContext, deps: MlflowTrackerDeps): MlflowState {
  const client = createMlflowClient({
    serverUrl: config.server_url,
    timeoutMs: config.timeout_ms,
    ...(config.headers ? { headers: config.headers } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.backoffMs !== undefined ? { backoffMs: deps.backoffMs } : {}),
  });
  return {
    client,
    lingerMs: deps.lingerMs ?? 100,
    concurrency: config.max_concurrent_requests ?? DEFAULT_CONCURRENCY,
    warn: context.warn,
    parent: newTarget("", [], context.warn, Date.now()),
    children: new Map(),
    dirty: new Set(),
    busy: new Set(),
    lost: { metrics: 0, params: 0 },
    tracked: null,
    run: null,
    resumed: false,
    unavailable: null,
    rejected: null,
    senders: new Set(),
    timer: null,
    ended: false,
  };
}

async function resolveExperiment(state: MlflowState, name: string): Promise<string> {
  const found = await state.client.getExperimentByName(name);
  if (found) return found.experiment_id;
  try {
    return await state.client.createExperiment(name);
  } catch (error) {
    // Another process created it between our lookup and our create.
    if (mlflowFailureOf(error)?.errorCode !== "RESOURCE_ALREADY_EXISTS") throw error;
    const raced = await state.client.getExperimentByName(name);
    if (!raced) throw error;
    return raced.experiment_id;
  }
}

/**
 * Reuses the MLflow run another process of the same runnable run created (one MLflow run per run):
 * the run named after the run id that is no item's child (children carry the run id too).
 */
async function findExistingRun(state: MlflowState, experimentId: string, runId: string): Promise<string | null> {
  if (runId.includes("'")) return null;
  const filter = `tags.\`runnable.run_id\` = '${runId}' and attributes.run_name = '${runId}'`;
  const runs = await state.client.searchRuns([experimentId], filter, 10);
  const existing = runs.find((run) => !(run.data.tags ?? []).some((tag) => tag.key === "mlflow.parentRunId"));
  if (!existing) return null;
  state.parent.params.seed(existing.data.params ?? []);
  if (existing.info.status !== "RUNNING") await state.client.updateRun(existing.info.run_id, "RUNNING");
  return existing.info.run_id;
}

function runTags(run: TrackedRun): MlflowKeyValue[] {
  const tags: MlflowKeyValue[] = [
    { key: "runnable.run_id", value: run.runId },
    { key: "runnable.pipeline", value: run.pipelineName },
  ];
  if (run.gitCommit) tags.push({ key: "mlflow.source.git.commit", value: run.gitCommit });
  if (run.tag) tags.push({ key: "runnable.tag", value: run.tag });
  return tags.map((tag) => ({ key: tag.key, value: truncateCodePoints(tag.value, MLFLOW_LIMITS.tagValueLength) }));
}

async function startRun(state: MlflowState, config: MlflowTrackerConfig, run: TrackedRun): Promise<void> {
  try {
    const experimentId = await resolveExperiment(state, config.experiment_name ?? (run.tag || "Default"));
    const existing = await findExistingRun(state, experimentId, run.runId);
    const input = { experimentId, runName: run.runId, startTime: Date.now(), tags: runTags(run) };
    const runId = existing ?? (await state.client.createRun(input)).info.run_id;
    state.run = { experimentId, runId };
    // A snapshot: the engine goes on changing the run's parameters; children log them as the run started.
    state.tracked = { ...run, parameters: structuredClone(run.parameters ?? {}) };
    state.resumed = existing !== null;
    state.parent.runId = runId;
    // The run's parameters become MLflow params under their own names (a retried run's are there already).
    for (const [key, value] of Object.entries(run.parameters ?? {})) {
      const param = state.parent.params.parameter(key, value);
      if (param) state.parent.pending.params.push(param);
    }
    state.dirty.add(state.parent);
    schedule(state);
  } catch (error) {
    // Without an MLflow run nothing can be mirrored.
    state.unavailable ??= messageOf(error);
    dropPending(state);
  }
}

function publish(state: MlflowState, stepName: string, points: Iterable<MetricPoint>, branches?: readonly TrackedBranch[]): void {
  if (state.ended) return;
  const target = targetFor(state, branches);
  try {
    buffer(state, stepName, points, target);
  } catch (error) {
    // e.g. a value JSON cannot encode; the tracker must never fail the run
    state.rejected ??= messageOf(error);
  }
  if (state.unavailable) dropPending(state);
  else schedule(state, target);
}

/** Closes an item's child run with the item's status (once what it holds is sent); finds it first when another process may have made it. */
function endBranch(state: MlflowState, branches: readonly TrackedBranch[], status: Status): void {
  const last = branches.at(-1);
  if (!last || state.ended || !state.run || state.unavailable) return;
  let target = state.children.get(last.branch);
  if (!target) {
    // Values for it never reached this process: only a child made before (a retry) needs closing.
    if (!state.resumed) return;
    target = newTarget(last.branch, branches, state.warn, Date.now());
    target.findOnly = true;
    state.children.set(last.branch, target);
  }
  target.closing = status;
  state.dirty.add(target);
  schedule(state, target);
}

/** Sends what is left, closes the MLflow run, and warns once about what went wrong (the first call only). */
async function endRun(state: MlflowState, status: Status, warn: (message: string) => void): Promise<void> {
  if (state.ended) return;
  state.ended = true;
  await finish(state, status).catch((error: unknown) => noteFailure(state, error));
  const message = summary(state);
  if (message) warn(message);
}

async function finish(state: MlflowState, status: Status): Promise<void> {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
  // Children still open (their branch never ended: a stopped run) close with the run.
  for (const child of state.children.values()) {
    if (!child.closing) {
      child.closing = status === "SUCCESS" ? "SUCCESS" : "FAIL";
      state.dirty.add(child);
    }
  }
  await drain(state);
  if (!state.run || state.unavailable) return;
  try {
    await state.client.updateRun(state.run.runId, RUN_STATUS[status] ?? "KILLED", Date.now());
  } catch (error) {
    noteFailure(state, error);
  }
}
