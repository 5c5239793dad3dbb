import type { BranchLog, LogLocation, RunLog, StepLog } from "../../../core/run-log.js";
import { stepsAt } from "../../../core/run-log.js";
import type { RunHeader, RunOp } from "../../../ports/run-log-store.js";
import { cloneJson } from "../../../core/parameters.js";

/** One update of a run log (defined by the port, shared by the façade and the drivers). */
export type { RunOp };

/** A new run log from its header, fields in runnable's order (extra header fields kept at the end). */
export function runFromHeader(header: RunHeader): RunLog {
  const { run_id, dag_hash, use_cached, tag, original_run_id, status, parameters, run_config, steps, ...extra } = cloneJson(header) as RunHeader & {
    steps?: unknown;
  };
  void steps; // a header carries no steps; a whole run log passed as header must not bring its own
  return { run_id, dag_hash, use_cached, tag, original_run_id, status, steps: {}, parameters, run_config, ...extra };
}

/** The op writing a step log over the caller's objects (no copy); its `branches` are emptied because branches are written on their own. */
export function stepOp(location: LogLocation, step: StepLog, seq?: number): Extract<RunOp, { op: "step" }> {
  return { op: "step", location, payload: { ...step, branches: {} }, ...(seq === undefined ? {} : { seq }) };
}

/** The op writing a branch log over the caller's objects (no copy); its `steps` are emptied because steps are written on their own. */
export function branchOp(location: LogLocation, branch: BranchLog, seq?: number): Extract<RunOp, { op: "branch" }> {
  return { op: "branch", location, payload: { ...branch, steps: {} }, ...(seq === undefined ? {} : { seq }) };
}

/** Human form of a location, for messages. */
export function describeLocation(location: LogLocation): string {
  if (location.length === 0) return "the top level";
  return location.map(([step, branch]) => `step "${step}" > branch "${branch}"`).join(" > ");
}

/** The op removing step `internalName` from the branch at `location` (over the caller's location, no copy). */
export function removeOp(location: LogLocation, internalName: string): Extract<RunOp, { op: "remove" }> {
  return { op: "remove", location, payload: internalName };
}

/** Why `op` cannot be placed in `run` (its parent step or branch is missing), or undefined. */
export function placementProblem(run: RunLog, op: RunOp): string | undefined {
  if (op.op === "remove") return undefined;
  if (op.op === "step") {
    if (stepsAt(run, op.location)) return undefined;
    return `cannot put step log "${op.payload.internal_name}": there is no branch log at ${describeLocation(op.location)}`;
  }
  if (op.op !== "branch") return undefined;
  const last = op.location[op.location.length - 1];
  if (!last) return `cannot put branch log "${op.payload.internal_name}": its location is empty`;
  const parent = op.location.slice(0, -1);
  if (Object.hasOwn(stepsAt(run, parent) ?? {}, last[0])) return undefined;
  return `cannot put branch log "${op.payload.internal_name}": there is no step log "${last[0]}" at ${describeLocation(parent)}`;
}

function setKey<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * The engine's order of the keys of a steps/branches map, as far as ops told it (kept beside the data).
 * A key no op told about counts as having its position as its `seq`: the engine numbers steps by walk
 * position and branches by declaration or item index, so an in-order map needs nothing stored.
 */
interface KeyOrder {
  seqs: Map<string, number>;
  max: number;
}

const ORDERS = new WeakMap<object, KeyOrder>();

function orderOf(target: object): KeyOrder {
  let order = ORDERS.get(target);
  if (!order) ORDERS.set(target, (order = { seqs: new Map(), max: Object.keys(target).length - 1 }));
  return order;
}

/**
 * Sets `key` in `target`; a new key with a `seq` goes before the first sibling the engine ordered after
 * it (writers on different hosts may arrive in any order), otherwise at the end. Reordering rebuilds
 * the object in place, so references to it stay valid; in-order writes cost O(1).
 */
function placeKey<V>(target: Record<string, V>, key: string, value: V, seq: number | undefined): void {
  const order = orderOf(target);
  const fresh = !Object.hasOwn(target, key);
  if (seq === undefined || !fresh || seq >= order.max) {
    if (seq !== undefined && fresh) order.seqs.set(key, seq);
    if (seq !== undefined) order.max = Math.max(order.max, seq);
    setKey(target, key, value);
    return;
  }
  order.seqs.set(key, seq);
  const keys = Object.keys(target);
  const at = keys.findIndex((other, index) => (order.seqs.get(other) ?? index) > seq);
  const entries = keys.map((other) => [other, target[other] as V] as const);
  for (const other of keys) delete target[other];
  entries.splice(at < 0 ? entries.length : at, 0, [key, value]);
  for (const [other, item] of entries) setKey(target, other, item);
}

/** The order of a map worth saving: none when every key sits at the position its seq says. */
function savedOrder(target: object): Record<string, number> | undefined {
  const order = ORDERS.get(target);
  if (!order || order.seqs.size === 0) return undefined;
  const keys = Object.keys(target);
  if (keys.every((key, index) => (order.seqs.get(key) ?? index) === index)) return undefined;
  return Object.fromEntries(keys.map((key, index) => [key, order.seqs.get(key) ?? index]));
}

/** Every map of `run` whose order ops told, keyed by where it is (to persist beside a snapshot). */
export function collectOrders(run: RunLog): Record<string, Record<string, number>> {
  const orders: Record<string, Record<string, number>> = {};
  const visit = (steps: Record<string, StepLog>, where: string): void => {
    const own = savedOrder(steps);
    if (own) orders[`s${where}`] = own;
    for (const [key, step] of Object.entries(steps)) {
      const branches = savedOrder(step.branches);
      const here = `${where}/${JSON.stringify(key)}`;
      if (branches) orders[`b${here}`] = branches;
      for (const [branchKey, branch] of Object.entries(step.branches)) visit(branch.steps, `${here}/${JSON.stringify(branchKey)}`);
    }
  };
  visit(run.steps, "");
  return orders;
}

/** Gives the maps of a run read from a snapshot the order {@link collectOrders} saved (others keep positions as order). */
export function restoreOrders(run: RunLog, orders: Readonly<Record<string, Readonly<Record<string, number>>>>): void {
  if (Object.keys(orders).length === 0) return;
  const apply = (target: object, saved: Readonly<Record<string, number>> | undefined): void => {
    if (!saved) return;
    const order = orderOf(target);
    for (const [key, seq] of Object.entries(saved)) {
      order.seqs.set(key, seq);
      order.max = Math.max(order.max, seq);
    }
  };
  const visit = (steps: Record<string, StepLog>, where: string): void => {
    apply(steps, orders[`s${where}`]);
    for (const [key, step] of Object.entries(steps)) {
      const here = `${where}/${JSON.stringify(key)}`;
      apply(step.branches, orders[`b${here}`]);
      for (const [branchKey, branch] of Object.entries(step.branches)) visit(branch.steps, `${here}/${JSON.stringify(branchKey)}`);
    }
  };
  visit(run.steps, "");
}

function own<V>(target: Record<string, V>, key: string): V | undefined {
  return Object.hasOwn(target, key) ? target[key] : undefined;
}

/**
 * Applies `op` to `run` in place (the op's payload is taken over, not copied). A replaced step keeps
 * its branches and its place; a replaced branch keeps its steps. False when the parent is missing.
 */
export function applyOp(run: RunLog, op: RunOp): boolean {
  switch (op.op) {
    case "status":
      run.status = op.payload;
      return true;
    case "parameters":
      run.parameters = op.payload;
      return true;
    case "parameter_kinds":
      if (Object.keys(op.payload).length > 0) run.parameter_kinds = op.payload;
      else delete run.parameter_kinds;
      return true;
    case "run_config":
      run.run_config = op.payload;
      return true;
    case "step": {
      const steps = stepsAt(run, op.location);
      if (!steps) return false;
      const key = op.payload.internal_name;
      placeKey(steps, key, { ...op.payload, branches: own(steps, key)?.branches ?? {} }, op.seq);
      return true;
    }
    case "remove": {
      const steps = stepsAt(run, op.location);
      if (steps && Object.hasOwn(steps, op.payload)) delete steps[op.payload];
      return true;
    }
    case "branch": {
      const last = op.location[op.location.length - 1];
      const owner = last && own(stepsAt(run, op.location.slice(0, -1)) ?? {}, last[0]);
      if (!last || !owner) return false;
      placeKey(owner.branches, last[1], { ...op.payload, steps: own(owner.branches, last[1])?.steps ?? {} }, op.seq);
      return true;
    }
  }
}
