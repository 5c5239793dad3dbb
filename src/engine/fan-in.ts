import { MAP_REDUCER, allNodes, branchesOf, type CompositeNode, type MapNode } from "../core/graph.js";
import { cloneJson, jsonEqual } from "../core/parameters.js";
import { BUILTIN_REDUCERS } from "../core/reducers.js";
import { setKind, type ParameterKind, type ParameterKinds } from "../core/returns.js";
import type { Parameters } from "../core/run-log.js";
import type { Scope } from "./run-state.js";
import { setOwn } from "./scope.js";

/** What fan-in keeps of a finished branch: its key and the parameters it changed (nothing else). */
export interface BranchResult {
  key: string;
  /** Keys whose value (or kind) differs from the parent's at fan-out, in the branch's key order. */
  changed: Parameters;
  /** Kinds of the changed keys that are not JSON. */
  kinds: ParameterKinds;
}

/** Parameters with the kinds of their non-JSON values (a scope, a stored branch log). */
export interface KindedParameters {
  parameters: Parameters;
  kinds?: Readonly<ParameterKinds> | undefined;
}

const kindOf = (kinds: Readonly<ParameterKinds> | undefined, key: string): ParameterKind => (kinds && Object.hasOwn(kinds, key) ? kinds[key]! : "json");

/**
 * The parameters a branch changed compared with its parent scope (a different value, or the same value
 * of another kind). Unchanged values are shared with the parent (same reference), so this costs
 * O(keys) for them; `ignore` (a map's `iterate_as`) is left out.
 */
export function changedParameters(parent: KindedParameters, branch: KindedParameters, ignore?: string): Pick<BranchResult, "changed" | "kinds"> {
  const changed: Parameters = {};
  const kinds: ParameterKinds = {};
  for (const key of Object.keys(branch.parameters)) {
    if (key === ignore) continue;
    const value = branch.parameters[key];
    const kind = kindOf(branch.kinds, key);
    const same = Object.hasOwn(parent.parameters, key) && kind === kindOf(parent.kinds, key);
    if (same && (value === parent.parameters[key] || jsonEqual(value, parent.parameters[key]))) continue;
    setOwn(changed, key, value);
    if (kind !== "json") setKind(kinds, key, kind);
  }
  return { changed, kinds };
}

/** Folds one parameter's values of a map's items (a built-in, an SDK function, or a runner's reducer). */
export type Reducer = (values: unknown[]) => unknown;

/** Finds the reducer of a map step: a function, or why there is none. */
export type ReducerLookup = (node: MapNode) => Reducer | string;

/** What fan-in hands back: the parameters (and kinds) to set in the parent scope, or why the step fails. */
export type FanInResult = { parameters: Parameters; kinds: ParameterKinds } | { failure: string };

/**
 * Merges branch results for the parent scope. Parallel/dag: changed keys are copied back. Two branches
 * changing one key to different values is a conflict (the reason the step fails), unless a task of the
 * branches returns that key by name (runnable 0.50's `returns`): then the later branch in declaration
 * order wins, as in runnable 0.50's fan-in.
 * Map: each changed key becomes the list of branch values in item order (the parent's value for items
 * that left it alone), or the reducer's result.
 */
export async function fanIn(
  node: CompositeNode,
  parent: Scope,
  results: readonly BranchResult[],
  reducers: ReducerLookup = builtinReducer,
): Promise<FanInResult> {
  if (node.kind === "map") return collectMap(node, parent, results, reducers);
  const setBy = new Map<string, string>();
  const merged: Parameters = {};
  const kinds: ParameterKinds = {};
  let returned: Set<string> | undefined;
  for (const { key: branch, changed, kinds: branchKinds } of results) {
    for (const [key, value] of Object.entries(changed)) {
      const other = setBy.get(key);
      if (other !== undefined && (!jsonEqual(merged[key], value) || kindOf(kinds, key) !== kindOf(branchKinds, key))) {
        returned ??= returnedNames(node);
        if (!returned.has(key)) return { failure: conflict(other, branch, key, merged[key], value) };
      }
      setBy.set(key, branch);
      setOwn(merged, key, value);
      const kind = kindOf(branchKinds, key);
      if (kind !== "json") setKind(kinds, key, kind);
      else delete kinds[key];
    }
  }
  return { parameters: merged, kinds };
}

/** The names the tasks of a composite's branches return by name (runnable 0.50's `returns`). */
function returnedNames(node: CompositeNode): Set<string> {
  const names = new Set<string>();
  for (const graph of branchesOf(node)) {
    for (const inner of allNodes(graph)) if (inner.kind === "task") for (const r of inner.returns ?? []) names.add(r.name);
  }
  return names;
}

function conflict(first: string, second: string, key: string, a: unknown, b: unknown): string {
  return (
    `parameter conflict at fan-in: branches "${first}" and "${second}" both set "${key}" to different values ` +
    `(${preview(a)} and ${preview(b)}); set it in one branch only or use distinct names`
  );
}

/**
 * A map's collection: per changed key, the values of the items in item order. A key whose values are
 * all objects stays an object parameter holding the list of the objects' names (the default reducer
 * only: objects cannot be folded here); every other collected value is JSON, as in runnable 0.50.
 */
async function collectMap(node: MapNode, parent: Scope, results: readonly BranchResult[], reducers: ReducerLookup): Promise<FanInResult> {
  const reducer = reducers(node);
  if (typeof reducer === "string") return { failure: reducer };
  const keys = new Set<string>();
  for (const { changed } of results) for (const key of Object.keys(changed)) keys.add(key);
  const collected: Parameters = {};
  const kinds: ParameterKinds = {};
  for (const key of keys) {
    const fallback = Object.hasOwn(parent.parameters, key) ? parent.parameters[key] : null;
    const values = results.map(({ changed }) => (Object.hasOwn(changed, key) ? changed[key] : cloneJson(fallback)));
    const itemKinds = results.map(({ changed, kinds: k }) => (Object.hasOwn(changed, key) ? kindOf(k, key) : kindOf(parent.kinds, key)));
    const objects = itemKinds.filter((kind) => kind === "object").length;
    if (objects > 0 && (objects < itemKinds.length || !listsObjects(node))) {
      return { failure: objectsFailure(node, key, objects < itemKinds.length) };
    }
    try {
      setOwn(collected, key, cloneJson(objects > 0 ? values : await reducer(values)) ?? null);
      if (objects > 0) setKind(kinds, key, "object");
    } catch (error) {
      return { failure: `the reducer of map "${node.name}" failed on parameter "${key}": ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { parameters: collected, kinds };
}

/** True when the map collects items as they are (no reducer, or the built-in `list`). */
function listsObjects(node: MapNode): boolean {
  return (!node.reducer || node.reducer === "list") && typeof (node as unknown as Record<symbol, unknown>)[MAP_REDUCER] !== "function";
}

function objectsFailure(node: MapNode, key: string, mixed: boolean): string {
  if (mixed) return `map "${node.name}": parameter "${key}" is an object in some items and not in others; return it with one kind in every item`;
  return (
    `map "${node.name}": parameter "${key}" holds objects (returned with kind object), which a reducer cannot fold; ` +
    "remove the reducer (the objects are collected as a list) or return a JSON value to reduce"
  );
}

/** The built-in reducers and those the SDK attaches (no reducer written in a task's language). */
export function builtinReducer(node: MapNode): Reducer | string {
  const attached = (node as unknown as Record<symbol, unknown>)[MAP_REDUCER];
  if (typeof attached === "function") return attached as Reducer;
  if (!node.reducer) return BUILTIN_REDUCERS.list!;
  if (Object.hasOwn(BUILTIN_REDUCERS, node.reducer)) return BUILTIN_REDUCERS[node.reducer]!;
  return unknownReducer(node);
}

/** Why a map's reducer cannot be used. */
export function unknownReducer(node: MapNode): string {
  return (
    `unknown reducer "${node.reducer}" on map "${node.name}"; built-in reducers: ${Object.keys(BUILTIN_REDUCERS).join(", ")} ` +
    "(a Python lambda or dotted function path runs with the python task runner; SDK pipelines may pass a function)"
  );
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
