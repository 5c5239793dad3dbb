import { MAP_REDUCER, type CompositeNode } from "../core/graph.js";
import { jsonEqual } from "../core/parameters.js";
import { BUILTIN_REDUCERS, type Reducer } from "../core/reducers.js";
import type { Parameters } from "../core/run-log.js";
import type { BranchPlan } from "./execute-composite.js";
import type { Scope } from "./run-state.js";

/**
 * Merges branch parameters back into the parent scope. Parallel/dag: keys a branch changed are copied
 * back; two branches changing one key differently is a conflict (returned as a message). Map: each
 * changed key becomes the list of branch values in item order, or the reducer's result.
 * Returns "" on success, else the reason the step fails.
 */
export function fanIn(node: CompositeNode, parent: Scope, branches: BranchPlan[]): string {
  const before = parent.parameters;
  const changed = (params: Parameters): string[] => Object.keys(params).filter((k) => !jsonEqual(params[k], before[k]));
  if (node.kind !== "map") {
    const setBy = new Map<string, string>();
    const merged: Parameters = {};
    for (const b of branches) {
      for (const key of changed(b.scope.parameters)) {
        const other = setBy.get(key);
        if (other !== undefined && !jsonEqual(merged[key], b.scope.parameters[key])) {
          return `parameter conflict at fan-in: branches ${other} and ${b.key} both set "${key}" to different values (${JSON.stringify(merged[key])} and ${JSON.stringify(b.scope.parameters[key])}); set it in one branch only or use distinct names`;
        }
        setBy.set(key, b.key);
        merged[key] = b.scope.parameters[key];
      }
    }
    Object.assign(before, merged);
    return "";
  }
  const keys = new Set<string>();
  for (const b of branches) for (const key of changed(b.scope.parameters)) if (key !== node.iterateAs) keys.add(key);
  const reducer = reducerOf(node);
  if (typeof reducer === "string") return reducer;
  const collected: Parameters = {};
  for (const key of keys) collected[key] = reducer(branches.map((b) => b.scope.parameters[key] ?? null));
  Object.assign(before, collected);
  return "";
}

function reducerOf(node: Extract<CompositeNode, { kind: "map" }>): Reducer | string {
  const attached = (node as unknown as Record<symbol, unknown>)[MAP_REDUCER];
  if (typeof attached === "function") return attached as Reducer;
  if (!node.reducer) return BUILTIN_REDUCERS.list!;
  return BUILTIN_REDUCERS[node.reducer] ?? `unknown reducer "${node.reducer}"; built-in reducers: ${Object.keys(BUILTIN_REDUCERS).join(", ")}`;
}
