import { RunnableError, messageOf } from "../core/errors.js";
import { failNodeOf, isComposite, isTerminal, type CompositeNode } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import { cloneJson } from "../core/parameters.js";
import { kindsFor, type ParameterKinds } from "../core/returns.js";
import type { LogLocation, Parameters, Status, StepLog } from "../core/run-log.js";
import { makeAttempt } from "./attempt.js";
import { type BranchPlan, loopIteration, planBranches } from "./branch-plan.js";
import { nextIteration, storedLoopOutcome } from "./loop-steps.js";
import { failureMessage, keptResult, recordProduced } from "./execute-composite.js";
import { executeTerminal } from "./execute-graph.js";
import { executeStub, executeTask } from "./execute-task.js";
import { fanIn } from "./fan-in.js";
import { reducerLookup } from "./reducer.js";
import { mapLimit } from "../core/map-limit.js";
import type { ResolvedStep } from "./resolve-step.js";
import type { RunState } from "./run-state.js";
import { assignParameters, finalBranchLog, recordedParameters, scopeKinds } from "./scope.js";
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
    await runLogStore.setParameters(runId, scope.parameters, scopeKinds(scope));
    await runLogStore.setStatus(runId, status);
    await runLogStore.flush(runId);
    return;
  }
  const key = location[location.length - 1]![1];
  await runLogStore.putBranch(runId, location, finalBranchLog(key, status, scope), step.branchIndex);
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

/** What a composite's fan-out hands the engine that walks its branches. */
export interface FanOut {
  status: Status;
  /** A map's items, in order. */
  items: unknown[];
  /** What the fan-out pod publishes: the index of the branch a conditional runs. */
  output?: string;
}

/**
 * Fan-out of a composite step: its log (PROCESSING) and every branch log (CREATED): a map's items, a
 * conditional's chosen branch (its index is the output), a loop's first iteration. A step whose
 * branches cannot be planned (a conditional's parameter matches no branch) is recorded FAIL.
 */
export async function fanOutStep(run: RunState, step: ResolvedStep): Promise<FanOut> {
  const node = composite(step);
  const open = await openStep(run, node, step.ctx, step.place);
  const stepKey = open.log.internal_name;
  let plans: BranchPlan[];
  try {
    plans = node.kind === "loop" ? [loopIteration(node, step.ctx, stepKey, 0, step.ctx.scope)] : planBranches(node, step.ctx, stepKey);
  } catch (error) {
    await failStep(run, step, open.log, messageOf(error));
    return { status: "FAIL", items: [] };
  }
  const existing = step.place.prior?.branches ?? {};
  const { runLogStore } = run.services;
  await mapLimit(
    plans.filter((plan) => !Object.hasOwn(existing, plan.key)),
    16,
    (plan) =>
      runLogStore.putBranch(run.plan.runId, [...step.ctx.location, [stepKey, plan.key]], { internal_name: plan.key, status: "CREATED", steps: {} }, plan.index),
  );
  const items = node.kind === "map" ? plans.map((plan) => plan.mapVariable.at(-1)?.[1]) : [];
  return { status: "SUCCESS", items, ...(node.kind === "conditional" ? { output: String(plans[0]!.index) } : {}) };
}

/** Records a composite step FAIL with `message` (and its graph's fail node when it has no on_failure). */
async function failStep(run: RunState, step: ResolvedStep, log: StepLog, message: string): Promise<void> {
  const now = run.services.now();
  const failed: StepLog = { ...log, branches: {}, status: "FAIL", message };
  failed.attempts = [
    ...log.attempts,
    makeAttempt({
      number: nextAttemptNumber(log),
      startedMicros: now,
      endedMicros: now,
      status: "FAIL",
      message,
      parameters: cloneJson(recordedParameters(step.ctx.scope)),
    }),
  ];
  await run.services.runLogStore.putStep(run.plan.runId, step.ctx.location as LogLocation, failed, step.place.seq);
  if (!isTerminal(step.node) && !step.node.onFailure) await implicitFail(run, step);
}

/** After a loop's latest iteration: the next iteration's index (its branch log created), or -1 when the loop is over. */
export async function nextIterationStep(run: RunState, step: ResolvedStep): Promise<number> {
  const node = step.node;
  if (node.kind !== "loop") throw new RunnableError("CLI_USAGE", `Step "${node.internalName}" is a ${node.kind} step: --mode next is for loop steps`);
  const stored = step.place.prior;
  if (!stored) throw new RunnableError("RUN_NOT_FOUND", `Step "${node.internalName}" has no record: run \`runnable fan ... --mode out\` first`);
  return nextIteration(run, node, step.ctx, stored);
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
  const { message, produced, kinds } = await storedOutcome(run, node, step, stored);
  const status: Status = message ? "FAIL" : "SUCCESS";
  const log: StepLog = { ...stored, branches: {}, status, message };
  const now = run.services.now();
  const attempt = makeAttempt({
    number: nextAttemptNumber(stored),
    startedMicros: now,
    endedMicros: now,
    status,
    message,
    parameters: cloneJson(recordedParameters(step.ctx.scope)),
  });
  const inputKinds = kindsFor(step.ctx.scope.kinds, Object.keys(attempt.parameters));
  if (Object.keys(inputKinds).length > 0) attempt.parameter_kinds = inputKinds;
  log.attempts = [...stored.attempts, attempt];
  // Only a failed loop hands parameters back: its failed iteration's, as runnable 0.50 rolls them back.
  if (status === "SUCCESS" || node.kind === "loop") recordProduced(log, assignParameters(step.ctx.scope, produced, kinds), kinds);
  await run.services.runLogStore.putStep(run.plan.runId, step.ctx.location as LogLocation, log, step.place.seq);
  if (status === "FAIL" && !node.onFailure && !isTerminal(node)) await implicitFail(run, step);
  return status;
}

/** Why a composite failed (empty when it succeeded) and what it produced, from its stored branch logs. */
async function storedOutcome(
  run: RunState,
  node: CompositeNode,
  step: ResolvedStep,
  stored: StepLog,
): Promise<{ message: string; produced: Parameters; kinds?: ParameterKinds | undefined }> {
  if (node.kind === "loop") return storedLoopOutcome(node, step.ctx, stored);
  let plans: BranchPlan[];
  try {
    plans = planBranches(node, step.ctx, stored.internal_name);
  } catch (error) {
    return { message: messageOf(error), produced: {} };
  }
  const failed = plans.filter((plan) => stored.branches[plan.key]?.status !== "SUCCESS").map((plan) => plan.key);
  if (failed.length > 0) return { message: failureMessage(failed, plans.length), produced: {} };
  const merged = await fanIn(
    node,
    step.ctx.scope,
    plans.map((plan) => keptResult(step.ctx, plan, stored.branches[plan.key]!)),
    reducerLookup(run),
  );
  return "failure" in merged ? { message: merged.failure, produced: {} } : { message: "", produced: merged.parameters, kinds: merged.kinds };
}
