import { RunnableError } from "../core/errors.js";
import { failNodeOf, isComposite, isTerminal, type CompositeNode, type Graph, type LoopNode, type Node } from "../core/graph.js";
import { itemText, resolveName, type MapVariable } from "../core/names.js";
import { jsonEqual } from "../core/parameters.js";
import type { LogLocation, RunLog, StepLog } from "../core/run-log.js";
import { type BranchPlan, branchContext, loopIteration, planBranches } from "./branch-plan.js";
import { keptScope, withIndex } from "./execute-loop.js";
import type { BranchContext, StepPlace } from "./run-state.js";
import { assignParameters } from "./scope.js";

/** A step found in a stored run: the node, where it sits, and the parameters it sees. */
export interface ResolvedStep {
  node: Node;
  /** The graph holding it (its fail node ends an implicit failure). */
  graph: Graph;
  ctx: BranchContext;
  place: StepPlace;
  /** Position of the innermost branch among its composite's branches (undefined at the top level). */
  branchIndex?: number;
}

function stepNotReached(name: string, missing: string): RunnableError {
  return new RunnableError("RUN_NOT_FOUND", `Step "${name}" cannot run yet: "${missing}" before it has no record in the run log`, {
    hint: "steps run in their pipeline's order: the steps before it must have run (Argo's `depends` takes care of this)",
  });
}

/**
 * Replays one graph of a stored run from `start_at` to the step named `target`: every step before it
 * must be recorded; succeeded ones hand their outputs on (`output_parameters`), failed ones lead to
 * their `on_failure`. Returns the target and its position in the walk.
 */
function replayTo(graph: Graph, steps: Readonly<Record<string, StepLog>>, ctx: BranchContext, target: string): { node: Node; seq: number } {
  let current = graph.startAt;
  for (let seq = 0; ; seq++) {
    const node = graph.nodes.get(current);
    if (!node) throw new RunnableError("PIPELINE_INVALID", `Step "${target}" is not in the pipeline (graph "${graph.internalBranchName || "top"}")`);
    if (node.name === target) return { node, seq };
    const log = steps[resolveName(node.internalName, ctx.mapVariable, ctx.loops)];
    if (!log || isTerminal(node)) throw stepNotReached(target, node.name);
    // A failed step hands nothing on, but for a loop's failed iteration (runnable 0.50 rolls it back).
    assignParameters(ctx.scope, log.output_parameters ?? {}, log.output_parameter_kinds);
    current = log.status === "SUCCESS" ? node.next : node.onFailure || failNodeOf(graph).name;
  }
}

/** Iteration `segment` of a loop, starting from the parameters the iteration before it recorded. */
function iterationFor(node: LoopNode, ctx: BranchContext, step: StepLog, segment: string): BranchPlan {
  const index = /^\d+$/.test(segment) ? Number(segment) : Number.NaN;
  if (!(index < node.maxIterations))
    throw new RunnableError("CLI_USAGE", `Loop "${step.internal_name}" has no iteration "${segment}" (0 to ${node.maxIterations - 1})`);
  const before = index === 0 ? undefined : step.branches[`${step.internal_name}.${index - 1}`];
  if (index > 0 && !before) throw stepNotReached(`${step.internal_name}.${segment}`, `${step.internal_name}.${index - 1}`);
  return loopIteration(node, ctx, step.internal_name, index, before ? keptScope(ctx.scope, before) : ctx.scope);
}

/** The branch of `node` a name segment (and, for maps, the map variable) points at. */
function branchFor(node: CompositeNode, ctx: BranchContext, step: StepLog, segment: string, mapVariable: MapVariable): BranchPlan {
  const stepKey = step.internal_name;
  if (node.kind === "loop") return iterationFor(node, ctx, step, segment);
  const plans = planBranches(node, ctx, stepKey);
  if (node.kind === "map") {
    const given = mapVariable.find(([name]) => name === node.iterateAs);
    if (!given) throw new RunnableError("CLI_USAGE", `Step "${stepKey}" is a map over ${node.iterateOn}: --map-variable must give "${node.iterateAs}"`);
    const value = given[1];
    const plan = plans.find((candidate) => {
      const item = candidate.mapVariable.at(-1)?.[1];
      return jsonEqual(item, value) || (typeof value === "string" && itemText(item) === value);
    });
    if (!plan) throw new RunnableError("CLI_USAGE", `Map "${stepKey}" has no item ${JSON.stringify(value)} (items of ${node.iterateOn}: ${plans.length})`);
    return plan;
  }
  const key = `${stepKey}.${segment}`;
  const plan = plans.find((candidate) => candidate.key === key);
  if (!plan) throw new RunnableError("PIPELINE_INVALID", `Step "${stepKey}" has no branch "${segment}"`);
  return plan;
}

/**
 * Finds the step with this internal name (dot path, map placeholders unresolved) in a stored run and
 * rebuilds what the engine would have at that point: its location, map variable, parameters (from
 * `initial_parameters` and the outputs of the steps before it) and its earlier record, if any.
 */
export function resolveStep(graph: Graph, log: RunLog, internalName: string, mapVariable: MapVariable): ResolvedStep {
  const segments = internalName.split(".");
  let current = graph;
  let location: LogLocation = [];
  let steps: Readonly<Record<string, StepLog>> = log.steps;
  let ctx: BranchContext = { location, mapVariable: [], scope: { parameters: structuredClone(log.initial_parameters ?? {}) } };
  let branchIndex: number | undefined;
  for (let i = 0; i < segments.length; i += 2) {
    ctx = { ...ctx, prior: { mode: "retry", steps } };
    const { node, seq } = replayTo(current, steps, ctx, segments[i]!);
    const key = resolveName(node.internalName, ctx.mapVariable, ctx.loops);
    const prior = Object.hasOwn(steps, key) ? steps[key] : undefined;
    const segment = segments[i + 1];
    if (segment === undefined)
      return { node, graph: current, ctx, place: { seq, ...(prior ? { prior } : {}) }, ...(branchIndex === undefined ? {} : { branchIndex }) };
    if (!isComposite(node)) throw new RunnableError("PIPELINE_INVALID", `Step "${node.internalName}" has no branches (in "${internalName}")`);
    if (!prior) throw stepNotReached(internalName, node.name);
    const plan = branchFor(node, ctx, prior, segment, mapVariable);
    location = [...location, [key, plan.key] as const];
    steps = prior.branches[plan.key]?.steps ?? {};
    current = plan.graph;
    branchIndex = plan.index;
    ctx = branchContext(ctx, plan, location);
    if (node.kind === "loop") withIndex(ctx, node, plan.index);
  }
  throw new RunnableError("CLI_USAGE", `"${internalName}" names a branch, not a step`);
}
