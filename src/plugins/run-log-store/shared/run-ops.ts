import type { BranchLog, LogLocation, Parameters, RunConfig, RunLog, Status, StepLog } from "../../../core/run-log.js";
import { stepsAt } from "../../../core/run-log.js";
import type { RunHeader } from "../../../ports/run-log-store.js";

/** One update of a run log, as the stores apply (and the file-system journal records) it. */
export type RunOp =
  | { op: "status"; location: LogLocation; payload: Status }
  | { op: "parameters"; location: LogLocation; payload: Parameters }
  | { op: "run_config"; location: LogLocation; payload: RunConfig }
  | { op: "step"; location: LogLocation; payload: StepLog }
  | { op: "branch"; location: LogLocation; payload: BranchLog }
  | { op: "remove"; location: LogLocation; payload: string };

/** A deep copy through JSON (what every store keeps is plain JSON data). */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A new run log from its header, fields in runnable's order (extra header fields kept at the end). */
export function runFromHeader(header: RunHeader): RunLog {
  const { run_id, dag_hash, use_cached, tag, original_run_id, status, parameters, run_config, steps, ...extra } =
    jsonCopy(header) as RunHeader & { steps?: unknown };
  void steps; // a header carries no steps; a whole run log passed as header must not bring its own
  return { run_id, dag_hash, use_cached, tag, original_run_id, status, steps: {}, parameters, run_config, ...extra };
}

/** The op writing a step log (a copy; its `branches` are emptied because branches are written on their own). */
export function stepOp(location: LogLocation, step: StepLog): Extract<RunOp, { op: "step" }> {
  return { op: "step", location: jsonCopy(location), payload: jsonCopy({ ...step, branches: {} }) };
}

/** The op writing a branch log (a copy; its `steps` are emptied because steps are written on their own). */
export function branchOp(location: LogLocation, branch: BranchLog): Extract<RunOp, { op: "branch" }> {
  return { op: "branch", location: jsonCopy(location), payload: jsonCopy({ ...branch, steps: {} }) };
}

/** Human form of a location, for messages. */
export function describeLocation(location: LogLocation): string {
  if (location.length === 0) return "the top level";
  return location.map(([step, branch]) => `step "${step}" > branch "${branch}"`).join(" > ");
}

/** The op removing step `internalName` from the branch at `location`. */
export function removeOp(location: LogLocation, internalName: string): Extract<RunOp, { op: "remove" }> {
  return { op: "remove", location: jsonCopy(location), payload: internalName };
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
    case "run_config":
      run.run_config = op.payload;
      return true;
    case "step": {
      const steps = stepsAt(run, op.location);
      if (!steps) return false;
      const key = op.payload.internal_name;
      setKey(steps, key, { ...op.payload, branches: own(steps, key)?.branches ?? {} });
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
      setKey(owner.branches, last[1], { ...op.payload, steps: own(owner.branches, last[1])?.steps ?? {} });
      return true;
    }
  }
}
