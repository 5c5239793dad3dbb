import type { Graph, LoopNode } from "../core/graph.js";
import type { ParameterKinds } from "../core/returns.js";
import type { BranchLog, Parameters, Status, StepLog } from "../core/run-log.js";
import { stopMessage } from "../core/stop.js";
import { type BranchPlan, branchContext, loopIteration } from "./branch-plan.js";
import { type BranchResult, changedParameters } from "./fan-in.js";

import { branchPrior } from "./prior.js";
import { type BranchContext, type RunState, type Scope, stopReason } from "./run-state.js";
import { assignParameters, finalBranchLog } from "./scope.js";
import { issueTerminalWrites } from "./step-log-writer.js";

type GraphRunner = (run: RunState, graph: Graph, ctx: BranchContext) => Promise<Status>;

/** What a loop came to: why it failed (empty when it succeeded) and the parameters it hands back. */
export interface LoopOutcome {
  message: string;
  produced: Parameters;
  /** Kinds of the produced parameters that are not JSON. */
  kinds?: ParameterKinds | undefined;
  /** The last iteration's closing writes, issued but not awaited (they go with the step's own). */
  pending?: Promise<void> | undefined;
}

/**
 * Runs a loop's branch as iterations `<loop>.0`, `<loop>.1`, ... (runnable 0.50's LoopNode): each
 * iteration starts from the parameters the previous one ended with (the first from the loop's own), and
 * the loop ends after an iteration that set `break_on` to true, or after `max_iterations` iterations
 * (SUCCESS either way, as 0.50), or when an iteration fails (FAIL). Only the current iteration's scope
 * is held, so memory does not grow with the iterations. In a retry, iterations that succeeded are kept
 * and their stored parameters carried on; the loop continues at the one that failed.
 */
export async function runLoop(
  run: RunState,
  node: LoopNode,
  ctx: BranchContext,
  log: StepLog,
  prior: StepLog | undefined,
  runGraph: GraphRunner,
): Promise<LoopOutcome> {
  const stepKey = log.internal_name;
  const kept = ctx.prior?.mode === "retry" ? (prior?.branches ?? {}) : {};
  let scope: Scope = ctx.scope;
  // The last iteration's closing writes, issued with the next iteration's opening one (one store write).
  let pending: Promise<void> | undefined;
  const ended = (message: string, produced: Pick<BranchResult, "changed" | "kinds"> = { changed: {}, kinds: {} }): LoopOutcome => ({
    message,
    produced: produced.changed,
    kinds: produced.kinds,
    pending,
  });
  for (let index = 0; index < node.maxIterations; index++) {
    const plan = loopIteration(node, ctx, stepKey, index, scope);
    const before = Object.hasOwn(kept, plan.key) ? kept[plan.key] : undefined;
    let status: Status;
    if (before?.status === "SUCCESS") {
      scope = keptScope(scope, before);
      status = "SUCCESS";
    } else {
      const reason = stopReason(run);
      if (reason) return ended(`${stopMessage(reason)} (loop "${node.name}" before iteration ${index})`);
      ({ status, scope, pending } = await runIteration(run, node, plan, ctx, { stepKey, prior, pending }, runGraph));
      const stopped = stopReason(run);
      if (stopped) return ended(`${stopMessage(stopped)} (loop "${node.name}" in iteration ${index})`);
    }
    // As runnable 0.50, a failed iteration's parameters still reach the loop's graph (its on_failure sees them).
    const changed = () => changedParameters(ctx.scope, scope);
    if (status !== "SUCCESS") return ended(`iteration ${index} of loop "${node.name}" failed (branch ${plan.key})`, changed());
    const stop = breakValue(node, scope, index);
    if (typeof stop === "string") return ended(stop);
    if (stop || index === node.maxIterations - 1) return ended("", changed());
  }
  return ended("");
}

/** The scope after an iteration kept from an earlier walk: its stored parameters over the previous scope. */
export function keptScope(previous: Scope, branch: BranchLog): Scope {
  const scope: Scope = {
    parameters: { ...previous.parameters },
    ...(previous.hidden && { hidden: previous.hidden }),
    ...(previous.kinds && { kinds: { ...previous.kinds } }),
  };
  assignParameters(scope, branch.parameters ?? {}, branch.parameter_kinds);
  return scope;
}

/** True to stop, false to go on (an unset `break_on` goes on, as in 0.50); a message when it is not a boolean. */
export function breakValue(node: LoopNode, scope: Scope, index: number): boolean | string {
  if (!Object.hasOwn(scope.parameters, node.breakOn)) return false;
  const value = scope.parameters[node.breakOn];
  if (typeof value === "boolean") return value;
  return (
    `loop "${node.name}": break_on parameter "${node.breakOn}" must be a boolean (true or false), ` +
    `but iteration ${index} left it ${JSON.stringify(value)}; return a boolean from the step that sets it`
  );
}

/** Runs one iteration: its branch log PROCESSING while it runs; returns its status, parameters and closing writes. */
async function runIteration(
  run: RunState,
  node: LoopNode,
  plan: BranchPlan,
  parent: BranchContext,
  { stepKey, prior, pending }: { stepKey: string; prior: StepLog | undefined; pending: Promise<void> | undefined },
  runGraph: GraphRunner,
): Promise<{ status: Status; scope: Scope; pending: Promise<void> }> {
  const { runLogStore } = run.services;
  const { runId } = run.plan;
  const ctx = branchContext(parent, plan, [...parent.location, [stepKey, plan.key] as const]);
  withIndex(ctx, node, plan.index);
  const priorSteps = branchPrior(parent, prior, plan.key);
  if (priorSteps) ctx.prior = priorSteps;
  // Written before its first step: a run that dies here is retried from this iteration.
  await Promise.all([pending, runLogStore.putBranch(runId, ctx.location, { internal_name: plan.key, status: "PROCESSING", steps: {} }, plan.index)]);
  const walk: BranchContext = { ...ctx, terminalWrites: [] };
  const status = await runGraph(run, plan.graph, walk);
  const final = finalBranchLog(plan.key, status, ctx.scope);
  const writes = Promise.all([issueTerminalWrites(walk.terminalWrites!), runLogStore.putBranch(runId, ctx.location, final, plan.index)]).then(() => undefined);
  writes.catch(() => undefined); // awaited with the next write; never an unhandled rejection meanwhile
  return { status, scope: ctx.scope, pending: writes };
}

/** Gives the tasks of a loop iteration the loop's `index_as` variable (beside those of enclosing loops). */
export function withIndex(ctx: BranchContext, node: LoopNode, index: number): BranchContext {
  if (node.indexAs) ctx.loopEnv = { ...ctx.loopEnv, [node.indexAs]: String(index) };
  return ctx;
}
