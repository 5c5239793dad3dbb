import { MAP_REDUCER, type CompositeNode, type MapNode } from "../core/graph.js";
import { cloneJson, jsonEqual } from "../core/parameters.js";
import { BUILTIN_REDUCERS, type Reducer } from "../core/reducers.js";
import type { Parameters } from "../core/run-log.js";
import type { Scope } from "./run-state.js";
import { setOwn } from "./scope.js";

/** What fan-in keeps of a finished branch: its key and the parameters it changed (nothing else). */
export interface BranchResult {
  key: string;
  /** Keys whose value differs from the parent's at fan-out, in the branch's key order. */
  changed: Parameters;
}

/**
 * The parameters a branch changed compared with its parent scope. Unchanged values are shared with the
 * parent (same reference), so this costs O(keys) for them; `ignore` (a map's `iterate_as`) is left out.
 */
export function changedParameters(parent: Parameters, branch: Parameters, ignore?: string): Parameters {
  const changed: Parameters = {};
  for (const key of Object.keys(branch)) {
    if (key === ignore) continue;
    const value = branch[key];
    if (Object.hasOwn(parent, key) && (value === parent[key] || jsonEqual(value, parent[key]))) continue;
    setOwn(changed, key, value);
  }
  return changed;
}

/** What fan-in hands back: the parameters to set in the parent scope, or why the step fails. */
export type FanInResult = { parameters: Parameters } | { failure: string };

/**
 * Merges branch results for the parent scope. Parallel/dag: changed keys are copied back; two
 * branches changing one key to different values is a conflict (the reason the step fails).
 * Map: each changed key becomes the list of branch values in item order (the parent's value for items
 * that left it alone), or the reducer's result.
 */
export function fanIn(node: CompositeNode, parent: Scope, results: readonly BranchResult[]): FanInResult {
  if (node.kind === "map") return collectMap(node, parent, results);
  const setBy = new Map<string, string>();
  const merged: Parameters = {};
  for (const { key: branch, changed } of results) {
    for (const [key, value] of Object.entries(changed)) {
      const other = setBy.get(key);
      if (other !== undefined && !jsonEqual(merged[key], value)) {
        return {
          failure:
            `parameter conflict at fan-in: branches "${other}" and "${branch}" both set "${key}" to different values ` +
            `(${preview(merged[key])} and ${preview(value)}); set it in one branch only or use distinct names`,
        };
      }
      setBy.set(key, branch);
      setOwn(merged, key, value);
    }
  }
  return { parameters: merged };
}

function collectMap(node: MapNode, parent: Scope, results: readonly BranchResult[]): FanInResult {
  const reducer = reducerOf(node);
  if (typeof reducer === "string") return { failure: reducer };
  const keys = new Set<string>();
  for (const { changed } of results) for (const key of Object.keys(changed)) keys.add(key);
  const collected: Parameters = {};
  for (const key of keys) {
    const fallback = Object.hasOwn(parent.parameters, key) ? parent.parameters[key] : null;
    const values = results.map(({ changed }) => (Object.hasOwn(changed, key) ? changed[key] : cloneJson(fallback)));
    try {
      setOwn(collected, key, cloneJson(reducer(values)) ?? null);
    } catch (error) {
      return { failure: `the reducer of map "${node.name}" failed on parameter "${key}": ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { parameters: collected };
}

function reducerOf(node: MapNode): Reducer | string {
  const attached = (node as unknown as Record<symbol, unknown>)[MAP_REDUCER];
  if (typeof attached === "function") return attached as Reducer;
  if (!node.reducer) return BUILTIN_REDUCERS.list!;
  if (Object.hasOwn(BUILTIN_REDUCERS, node.reducer)) return BUILTIN_REDUCERS[node.reducer]!;
  return `unknown reducer "${node.reducer}" on map "${node.name}"; built-in reducers: ${Object.keys(BUILTIN_REDUCERS).join(", ")} (SDK pipelines may pass a function)`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
