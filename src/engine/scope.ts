import { jsonEqual } from "../core/parameters.js";
import { kindsFor, setKind, type ParameterKinds } from "../core/returns.js";
import type { BranchLog, Parameters, Status } from "../core/run-log.js";
import type { Scope } from "./run-state.js";

/**
 * A branch's scope: a new key map over the parent's values (shared, never changed in place, so a branch
 * costs O(keys), not O(size of the parameters)), plus `extra` (the map item). `hide` names a parent
 * parameter recorded once on the composite step (a map's list) that the branch's records leave out.
 */
export function branchScope(parent: Scope, extra: Parameters = {}, hide?: string): Scope {
  const parameters: Parameters = { ...parent.parameters };
  const kinds = parent.kinds && Object.keys(parent.kinds).length > 0 ? { ...parent.kinds } : undefined;
  for (const [key, value] of Object.entries(extra)) {
    setOwn(parameters, key, value);
    if (kinds) delete kinds[key];
  }
  let hidden = parent.hidden;
  if (hide !== undefined && Object.hasOwn(parent.parameters, hide)) {
    hidden = new Map(hidden ?? []).set(hide, parent.parameters[hide]);
  }
  return { parameters, ...(hidden && { hidden }), ...(kinds && { kinds }) };
}

/** The parameters as step attempts and branch logs record them: hidden values left out while unchanged. */
export function recordedParameters(scope: Scope): Parameters {
  const { parameters, hidden } = scope;
  if (!hidden || hidden.size === 0) return parameters;
  const recorded: Parameters = {};
  for (const key of Object.keys(parameters)) {
    if (hidden.has(key) && hidden.get(key) === parameters[key]) continue;
    setOwn(recorded, key, parameters[key]);
  }
  return recorded;
}

/** The scope's non-JSON kinds (a copy; empty when all its parameters are JSON). */
export function scopeKinds(scope: Scope): ParameterKinds {
  return kindsFor(scope.kinds);
}

/**
 * Sets what a step handed back (with the kinds of its non-JSON values; any other value is JSON) and
 * returns what actually changed: a different value, or the same value of another kind. A value equal to
 * the current one keeps the current (possibly shared) value, so a task returning all its parameters does
 * not turn a map's shared list into a copy per branch.
 */
export function assignParameters(scope: Scope, values: Parameters, kinds?: Readonly<ParameterKinds>): Parameters {
  const changed: Parameters = {};
  for (const key of Object.keys(values)) {
    const kind = kinds && Object.hasOwn(kinds, key) ? kinds[key] : undefined;
    const current = scope.kinds && Object.hasOwn(scope.kinds, key) ? scope.kinds[key] : undefined;
    if (Object.hasOwn(scope.parameters, key) && kind === current && jsonEqual(scope.parameters[key], values[key])) continue;
    setOwn(scope.parameters, key, values[key]);
    setOwn(changed, key, values[key]);
    if (kind) setKind((scope.kinds ??= {}), key, kind);
    else if (current) delete scope.kinds![key];
  }
  return changed;
}

/** Sets a key as an own property (safe for `__proto__`). */
export function setOwn(target: Parameters, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A branch's final log: its status and the parameters (with their kinds) of its scope at the end. */
export function finalBranchLog(key: string, status: Status, scope: Scope): BranchLog {
  const parameters = recordedParameters(scope);
  const kinds = kindsFor(scope.kinds, Object.keys(parameters));
  return { internal_name: key, status, steps: {}, parameters, ...(Object.keys(kinds).length > 0 && { parameter_kinds: kinds }) };
}
