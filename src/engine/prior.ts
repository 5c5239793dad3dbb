import { isTerminal, type Graph, type Node } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import { newStepLog, type BranchLog, type Status, type StepLog } from "../core/run-log.js";
import type { BranchContext, PriorSteps, RunState, StepPlace } from "./run-state.js";
import { assignParameters } from "./scope.js";

// Re-runs (`--use-cached`) and retries walk the graph again with an earlier record beside it: a step
// that succeeded there is not run again. Its outputs are restored from the record (`output_parameters`),
// so the steps after it see the same parameters as the first time.

/** The earlier record of `node` in the graph being walked, if any. */
export function priorOf(ctx: BranchContext, node: Node): StepLog | undefined {
  const steps = ctx.prior?.steps;
  if (!steps) return undefined;
  const name = resolveName(node.internalName, ctx.mapVariable, ctx.loops);
  return Object.hasOwn(steps, name) ? steps[name] : undefined;
}

/** True when the walk skips `node`: it succeeded before (terminal nodes always run, as in runnable). */
export function skippable(node: Node, prior: StepLog | undefined): prior is StepLog {
  return prior !== undefined && !isTerminal(node) && prior.status === "SUCCESS";
}

/**
 * Skips a step that succeeded before and restores its outputs. A retry keeps its log as it is; a
 * re-run records it as `mock: true`, SUCCESS, without attempts (runnable's record of a cached step).
 */
export async function skipStep(run: RunState, node: Node, ctx: BranchContext, place: StepPlace, prior: StepLog): Promise<Status> {
  assignParameters(ctx.scope, prior.output_parameters ?? {}, prior.output_parameter_kinds);
  const cached = ctx.prior?.mode === "cached";
  if (cached) {
    const log = newStepLog(node.name, prior.internal_name, node.kind);
    for (const identity of run.identities) log.code_identities.push({ ...identity });
    log.status = "SUCCESS";
    log.mock = true;
    if (prior.output_parameters) log.output_parameters = structuredClone(prior.output_parameters);
    if (prior.output_parameter_kinds) log.output_parameter_kinds = { ...prior.output_parameter_kinds };
    ctx.openParents?.();
    await run.services.runLogStore.putStep(run.plan.runId, ctx.location, log, place.seq);
  }
  run.services.onEvent?.({
    type: "step-end",
    internalName: prior.internal_name,
    kind: node.kind,
    status: "SUCCESS",
    durationMs: 0,
    depth: ctx.location.length,
    message: "",
    skipped: cached ? "cached" : "kept",
  });
  return "SUCCESS";
}

/** The earlier record of one branch of a composite step, for walking that branch. */
export function branchPrior(ctx: BranchContext, step: StepLog | undefined, branchKey: string): PriorSteps | undefined {
  if (!ctx.prior || !step) return undefined;
  const branch: BranchLog | undefined = Object.hasOwn(step.branches, branchKey) ? step.branches[branchKey] : undefined;
  return { mode: ctx.prior.mode, steps: branch?.steps ?? {} };
}

/**
 * After a retry walked a graph: terminal step logs of the earlier walk that this walk did not reach
 * (the `fail` of a run that now succeeds) are removed, so the log tells how the graph ended.
 */
export async function dropUnreachedTerminals(run: RunState, graph: Graph, ctx: BranchContext, reached: ReadonlySet<string>): Promise<void> {
  if (ctx.prior?.mode !== "retry") return;
  for (const node of graph.nodes.values()) {
    if (!isTerminal(node)) continue;
    const name = resolveName(node.internalName, ctx.mapVariable, ctx.loops);
    if (reached.has(name) || !Object.hasOwn(ctx.prior.steps, name)) continue;
    await run.services.runLogStore.removeStep(run.plan.runId, ctx.location, name);
  }
}
