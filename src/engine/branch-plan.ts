import { didYouMean } from "../core/suggest.js";
import type { CompositeNode, ConditionalNode, Graph, LoopNode, MapNode } from "../core/graph.js";
import { pythonStr } from "../core/python-str.js";
import { DAG_BRANCH, DEFAULT_BRANCH, itemText, type MapVariable } from "../core/names.js";
import type { TrackedBranch } from "../ports/experiment-tracker.js";
import type { BranchContext, Scope } from "./run-state.js";
import { branchScope } from "./scope.js";

/** One branch to run: its key in the run log, its graph and how to make its scope when it starts. */
export interface BranchPlan {
  key: string;
  /** Position among the composite's branches (declaration or item order). */
  index: number;
  graph: Graph;
  mapVariable: MapVariable;
  /** A fresh scope (made only when the branch starts, so waiting branches hold no parameters). */
  scope: () => Scope;
  /** Parameter fan-in leaves out of the branch's changes (a map's `iterate_as`). */
  ignore?: string;
  /** A loop iteration's index (it resolves the loop placeholder and sets the loop's `index_as`). */
  iteration?: number;
  /** The map item or parallel branch as the tracker sees it (none for a dag's one branch). */
  tracked?: TrackedBranch;
}

/** The tracked chain of a branch's graph: its parent's, plus the branch when it is a map item or parallel branch. */
export function trackedChain(parent: BranchContext, plan: BranchPlan): Pick<BranchContext, "tracked"> {
  const chain = plan.tracked ? [...(parent.tracked ?? []), plan.tracked] : parent.tracked;
  return chain ? { tracked: chain } : {};
}

/** The context a branch's graph walks in: the plan's names and scope, the parent's enclosing loops and tracked chain. */
export function branchContext(parent: BranchContext, plan: BranchPlan, location: BranchContext["location"]): BranchContext {
  const ctx: BranchContext = { location, mapVariable: plan.mapVariable, scope: plan.scope(), ...trackedChain(parent, plan) };
  const loops = plan.iteration === undefined ? parent.loops : [...(parent.loops ?? []), plan.iteration];
  if (loops) ctx.loops = loops;
  if (parent.loopEnv) ctx.loopEnv = parent.loopEnv;
  return ctx;
}

/** The branches of a composite step, in declaration (parallel) or item (map) order. */
export function planBranches(node: CompositeNode, ctx: BranchContext, stepKey: string): BranchPlan[] {
  switch (node.kind) {
    case "parallel":
      return Object.entries(node.branches).map(([name, graph], index) => ({
        key: `${stepKey}.${name}`,
        index,
        graph,
        mapVariable: ctx.mapVariable,
        scope: () => branchScope(ctx.scope),
        tracked: { step: stepKey, branch: `${stepKey}.${name}`, kind: "parallel", name: node.name, value: name },
      }));
    case "dag":
      return [{ key: `${stepKey}.${DAG_BRANCH}`, index: 0, graph: node.branch, mapVariable: ctx.mapVariable, scope: () => branchScope(ctx.scope) }];
    case "map":
      return mapBranches(node, ctx, stepKey);
    case "conditional":
      return [conditionalBranch(node, ctx, stepKey)];
    case "loop":
      // A loop's iterations are planned one at a time, as the previous one ends (loopIteration).
      return [];
  }
}

/**
 * The branch a conditional runs: the one keyed by Python's `str()` of the parameter's value (as
 * runnable 0.50 matches), else `default`; an error naming the step, the value and the keys otherwise.
 */
export function conditionalBranch(node: ConditionalNode, ctx: BranchContext, stepKey: string): BranchPlan {
  const scope = (): Scope => branchScope(ctx.scope);
  if (!Object.hasOwn(ctx.scope.parameters, node.parameter)) {
    const known = Object.keys(ctx.scope.parameters);
    throw new Error(
      `conditional "${node.name}" reads parameter "${node.parameter}", which is not set: a step before it must return it, ` +
        `or give it in the parameters file (known parameters: ${known.join(", ") || "none"})${didYouMean(node.parameter, known)}`,
    );
  }
  const value = ctx.scope.parameters[node.parameter];
  const text = value === null ? undefined : pythonStr(value);
  if (text === undefined) {
    throw new Error(`conditional "${node.name}": parameter "${node.parameter}" must be a string, integer, float or boolean, got ${JSON.stringify(value)}`);
  }
  const keys = Object.keys(node.branches);
  const index = keys.indexOf(text);
  if (index >= 0) return { key: `${stepKey}.${text}`, index, graph: node.branches[text]!, mapVariable: ctx.mapVariable, scope };
  if (node.default) return { key: `${stepKey}.${DEFAULT_BRANCH}`, index: keys.length, graph: node.default, mapVariable: ctx.mapVariable, scope };
  const near = keys.find((key) => key.toLowerCase() === text.toLowerCase());
  const hint = near === undefined ? "" : ` (branch keys are compared with Python's str() of the value, exactly: "${near}" is not "${text}")`;
  throw new Error(
    `None of the branches were true: conditional "${node.name}" found parameter "${node.parameter}" = ${JSON.stringify(value)}, ` +
      `which matches none of its branches (${keys.map((key) => `"${key}"`).join(", ")})${hint}; add a branch keyed "${text}" or a default branch`,
  );
}

/** Iteration `index` of a loop: branch `<loop>.<index>`, starting from `parameters` (the last iteration's, or the loop's own). */
export function loopIteration(node: LoopNode, ctx: BranchContext, stepKey: string, index: number, start: Scope): BranchPlan {
  return { key: `${stepKey}.${index}`, index, graph: node.branch, mapVariable: ctx.mapVariable, scope: () => branchScope(start), iteration: index };
}

/** The items of a map, checked as runnable checks them. */
export function mapItems(node: MapNode, scope: Scope): unknown[] {
  if (!Object.hasOwn(scope.parameters, node.iterateOn)) {
    const known = Object.keys(scope.parameters);
    throw new Error(
      `Expected parameter ${node.iterateOn} not present in the parameters, was it ever set before? ` +
        `(map "${node.name}" iterates on it; known parameters: ${known.join(", ") || "none"})${didYouMean(node.iterateOn, known)}`,
    );
  }
  const items = scope.parameters[node.iterateOn];
  if (!Array.isArray(items)) {
    throw new Error(`Only list is allowed as a valid iterator type: parameter ${node.iterateOn} of map "${node.name}" is ${describeItems(items)}`);
  }
  return items;
}

function describeItems(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value) ?? String(value);
  return `the ${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/**
 * One branch per item, keyed `<map>.<item text>` as runnable names them (items with dots or spaces are
 * safe: logs are addressed by location, never by splitting names). A repeated item text gets `#<index>`.
 */
function mapBranches(node: MapNode, ctx: BranchContext, stepKey: string): BranchPlan[] {
  const items = mapItems(node, ctx.scope);
  const seen = new Set<string>();
  return items.map((item, index) => {
    const base = `${stepKey}.${itemText(item)}`;
    let key = base;
    for (let n = index; seen.has(key); n++) key = `${base}#${n}`;
    seen.add(key);
    return {
      key,
      index,
      graph: node.branch,
      mapVariable: [...ctx.mapVariable, [node.iterateAs, item] as const],
      scope: () => branchScope(ctx.scope, { [node.iterateAs]: item }, node.iterateOn),
      ignore: node.iterateAs,
      tracked: { step: stepKey, branch: key, kind: "map", name: node.iterateAs, value: item },
    };
  });
}
