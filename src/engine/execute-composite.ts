import { messageOf } from "../core/errors.js";
import type { CompositeNode, Graph } from "../core/graph.js";
import { cloneJson } from "../core/parameters.js";
import type { LogLocation, Status } from "../core/run-log.js";
import { nowMicros } from "../core/time.js";
import { makeAttempt } from "./attempt.js";
import { type BranchPlan, planBranches } from "./branch-plan.js";
import { type BranchResult, changedParameters, fanIn } from "./fan-in.js";
import { mapLimit } from "./map-limit.js";
import type { BranchContext, RunState } from "./run-state.js";
import { recordedParameters } from "./scope.js";
import { closeStep, openStep } from "./step-log-writer.js";

type GraphRunner = (run: RunState, graph: Graph, ctx: BranchContext) => Promise<Status>;

/** Branch logs written at once during fan-out (the store serialises what it must). */
const FAN_OUT_WRITES = 16;
/** Failed branches named in a composite step's message (the rest are counted). */
const NAMED_FAILURES = 10;

/**
 * Runs a parallel, map or dag step: creates every branch log (fan-out), runs the branches with the
 * executor's concurrency limit, each on its own view of the parameters, then rolls statuses and
 * parameters up (fan-in). The step succeeds only when every branch does and fan-in finds no conflict.
 */
export async function executeComposite(run: RunState, node: CompositeNode, ctx: BranchContext, runGraph: GraphRunner): Promise<Status> {
  const step = await openStep(run, node, ctx);
  const started = nowMicros();
  const inputs = cloneJson(recordedParameters(ctx.scope));
  let message: string;
  try {
    message = await fanOutAndIn(run, node, ctx, step.log.internal_name, runGraph);
  } catch (error) {
    message = messageOf(error);
  }
  const status: Status = message ? "FAIL" : "SUCCESS";
  step.log.status = status;
  step.log.message = message;
  step.log.attempts.push(makeAttempt({ number: 1, startedMicros: started, status, message, parameters: inputs }));
  await closeStep(run, ctx, step);
  return status;
}

async function fanOutAndIn(run: RunState, node: CompositeNode, ctx: BranchContext, stepKey: string, runGraph: GraphRunner): Promise<string> {
  const plans = planBranches(node, ctx, stepKey);
  const { runLogStore, executor } = run.services;
  const { runId } = run.plan;
  const locationOf = (key: string): LogLocation => [...ctx.location, [stepKey, key] as const];
  await mapLimit(plans, FAN_OUT_WRITES, (plan) =>
    runLogStore.putBranch(runId, locationOf(plan.key), { internal_name: plan.key, status: "PROCESSING", steps: {} }),
  );
  const outcomes = await mapLimit(plans, executor.maxParallel, (plan) => runBranch(run, plan, ctx, locationOf(plan.key), runGraph));
  const failed = outcomes.filter((outcome) => outcome.status !== "SUCCESS").map((outcome) => outcome.result.key);
  if (failed.length > 0) return failureMessage(failed, plans.length);
  return fanIn(node, ctx.scope, outcomes.map((outcome) => outcome.result));
}

/** Runs one branch and keeps only what fan-in needs (its changed parameters); its scope is dropped. */
async function runBranch(
  run: RunState,
  plan: BranchPlan,
  parent: BranchContext,
  location: LogLocation,
  runGraph: GraphRunner,
): Promise<{ status: Status; result: BranchResult }> {
  const scope = plan.scope();
  const status = await runGraph(run, plan.graph, { location, mapVariable: plan.mapVariable, scope });
  await run.services.runLogStore.putBranch(run.plan.runId, location, {
    internal_name: plan.key,
    status,
    steps: {},
    parameters: recordedParameters(scope),
  });
  const changed = status === "SUCCESS" ? changedParameters(parent.scope.parameters, scope.parameters, plan.ignore) : {};
  return { status, result: { key: plan.key, changed } };
}

function failureMessage(failed: readonly string[], total: number): string {
  const named = failed.slice(0, NAMED_FAILURES).join(", ");
  const more = failed.length > NAMED_FAILURES ? ` and ${failed.length - NAMED_FAILURES} more` : "";
  return `${failed.length} of ${total} branches failed: ${named}${more}`;
}
