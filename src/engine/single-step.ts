import { RunnableError } from "../core/errors.js";
import { failNodeOf, isComposite, isTerminal, type CompositeNode } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import { cloneJson } from "../core/parameters.js";
import type { LogLocation, Status, StepLog } from "../core/run-log.js";
import { makeAttempt } from "./attempt.js";
import { planBranches } from "./branch-plan.js";
import { failureMessage, keptResult } from "./execute-composite.js";
import { executeTerminal } from "./execute-graph.js";
import { executeStub, executeTask } from "./execute-task.js";
import { fanIn } from "./fan-in.js";
import { mapLimit } from "../core/map-limit.js";
import type { ResolvedStep } from "./resolve-step.js";
import type { RunState } from "./run-state.js";
import { assignParameters, recordedParameters } from "./scope.js";
import { nextAttemptNumber, openStep } from "./step-log-writer.js";

// One step of a run in a process of its own (an Argo pod, a container): the step boundary. The run's
// walk is somebody else's (Argo's DAG, the host engine); this records the step, and what a terminal
// step decides for its graph.

/** Options of {@link runSingleStep}. */
export interface SingleStepOptions {
  /** Attempts this process makes (Argo retries by starting new pods: 1); default the step's `max_attempts`. */
  attempts?: number;
  /** Run the graph's fail node when the step fails without `on_failure` (default true; not before a retry). */
  implicitFail?: boolean;
}

/** Records how a graph ended: the run's status and final parameters, or a branch log's status. */
async function finishGraph(run: RunState, step: ResolvedStep, status: Status): Promise<void> {
  const { runLogStore } = run.services;
  const { runId } = run.plan;
  const { location, scope } = step.ctx;
  if (location.length === 0) {
    await runLogStore.setParameters(runId, scope.parameters);
    await runLogStore.setStatus(runId, status);
    await runLogStore.flush(runId);
    return;
  }
  const key = location[location.length - 1]![1];
  await runLogStore.putBranch(runId, location, { internal_name: key, status, steps: {}, parameters: recordedParameters(scope) }, step.branchIndex);
}

/**
 * Runs one task, stub or terminal step of a stored run and returns its status. A failed step whose
 * next hop is its graph's fail node runs that fail node right away (runnable's implicit fail), so the
 * branch or run is marked failed where it failed.
 */
export async function runSingleStep(run: RunState, step: ResolvedStep, options: SingleStepOptions = {}): Promise<Status> {
  const { node, ctx, place } = step;
  let status: Status;
  switch (node.kind) {
    case "task":
      status = await executeTask(run, options.attempts ? { ...node, maxAttempts: options.attempts } : node, ctx, place);
      break;
    case "stub":
      status = await executeStub(run, node, ctx, place);
      break;
    case "success":
    case "fail":
      await executeTerminal(run, node, ctx, place);
      await finishGraph(run, step, node.kind === "success" ? "SUCCESS" : "FAIL");
      return node.kind === "success" ? "SUCCESS" : "FAIL";
    default:
      throw new RunnableError("CLI_USAGE", `Step "${node.internalName}" is a ${node.kind} step: run it with \`runnable fan ... --mode out\` and \`--mode in\``);
  }
  if (status === "FAIL" && !node.onFailure && options.implicitFail !== false) await implicitFail(run, step);
  return status;
}

async function implicitFail(run: RunState, step: ResolvedStep): Promise<void> {
  const fail = failNodeOf(step.graph);
  const name = resolveName(fail.internalName, step.ctx.mapVariable, step.ctx.loops);
  const prior = step.ctx.prior?.steps[name];
  const place = { seq: step.place.seq + 1, ...(prior ? { prior } : {}) };
  await executeTerminal(run, fail, step.ctx, place);
  await finishGraph(run, { ...step, node: fail, place }, "FAIL");
}

function composite(step: ResolvedStep): CompositeNode {
  if (!isComposite(step.node))
    throw new RunnableError(
      "CLI_USAGE",
      `Step "${step.node.internalName}" is a ${step.node.kind} step, not parallel, map or dag: run it with \`runnable execute-single-node\``,
    );
  return step.node;
}

/** Fan-out of a composite step: its log (PROCESSING) and every branch log (CREATED). Returns a map's items. */
export async function fanOutStep(run: RunState, step: ResolvedStep): Promise<unknown[]> {
  const node = composite(step);
  const open = await openStep(run, node, step.ctx, step.place);
  const stepKey = open.log.internal_name;
  const plans = planBranches(node, step.ctx, stepKey);
  const existing = step.place.prior?.branches ?? {};
  const { runLogStore } = run.services;
  await mapLimit(
    plans.filter((plan) => !Object.hasOwn(existing, plan.key)),
    16,
    (plan) =>
      runLogStore.putBranch(run.plan.runId, [...step.ctx.location, [stepKey, plan.key]], { internal_name: plan.key, status: "CREATED", steps: {} }, plan.index),
  );
  return plans.map((plan) => plan.mapVariable.at(-1)?.[1]);
}

/**
 * Fan-in of a composite step from its stored branch logs: SUCCESS when every branch succeeded and
 * fan-in finds no conflict (parameters from the branches' stored logs), else FAIL naming the failed
 * branches. A failed composite without `on_failure` runs its graph's fail node (implicit fail).
 */
export async function fanInStep(run: RunState, step: ResolvedStep): Promise<Status> {
  const node = composite(step);
  const stored: StepLog | undefined = step.place.prior;
  if (!stored) throw new RunnableError("RUN_NOT_FOUND", `Step "${node.internalName}" has no record: run \`runnable fan ... --mode out\` first`);
  const plans = planBranches(node, step.ctx, stored.internal_name);
  const failed = plans.filter((plan) => stored.branches[plan.key]?.status !== "SUCCESS").map((plan) => plan.key);
  let message = failed.length > 0 ? failureMessage(failed, plans.length) : "";
  let produced = {};
  if (!message) {
    const merged = fanIn(
      node,
      step.ctx.scope,
      plans.map((plan) => keptResult(step.ctx, plan, stored.branches[plan.key]!)),
    );
    if ("failure" in merged) message = merged.failure;
    else produced = merged.parameters;
  }
  const status: Status = message ? "FAIL" : "SUCCESS";
  const log: StepLog = { ...stored, branches: {}, status, message };
  const now = run.services.now();
  log.attempts = [
    ...stored.attempts,
    makeAttempt({
      number: nextAttemptNumber(stored),
      startedMicros: now,
      endedMicros: now,
      status,
      message,
      parameters: cloneJson(recordedParameters(step.ctx.scope)),
    }),
  ];
  if (status === "SUCCESS") {
    const changed = assignParameters(step.ctx.scope, produced);
    if (Object.keys(changed).length > 0) log.output_parameters = changed;
  }
  await run.services.runLogStore.putStep(run.plan.runId, step.ctx.location as LogLocation, log, step.place.seq);
  if (status === "FAIL" && !node.onFailure && !isTerminal(node)) await implicitFail(run, step);
  return status;
}
