import type { LogLocation, RunLog, StepLog } from "../../../core/run-log.js";
import { type RunOp, describeLocation } from "./run-ops.js";

/**
 * Where a run has step and branch logs, without their content: what a store needs to refuse a write
 * whose parent does not exist, at a few bytes per entry instead of the whole run in memory.
 */
export interface PlacementIndex {
  /** `<location JSON>\0<step key>` of every step log. */
  steps: Set<string>;
  /** `<location JSON>` of every branch log (its location ends with its own pair). */
  branches: Set<string>;
}

const stepEntry = (location: LogLocation, key: string): string => `${JSON.stringify(location)}\u0000${key}`;

/** An empty index (a new run). */
export function emptyIndex(): PlacementIndex {
  return { steps: new Set(), branches: new Set() };
}

/** The index of a whole run log. */
export function indexOfRun(run: Pick<RunLog, "steps">): PlacementIndex {
  const index = emptyIndex();
  const visit = (steps: Record<string, StepLog>, location: LogLocation): void => {
    for (const [key, step] of Object.entries(steps)) {
      index.steps.add(stepEntry(location, key));
      for (const [branchKey, branch] of Object.entries(step.branches)) {
        const at: LogLocation = [...location, [key, branchKey]];
        index.branches.add(JSON.stringify(at));
        visit(branch.steps, at);
      }
    }
  };
  visit(run.steps, []);
  return index;
}

/** Records what an update adds or removes. */
export function indexOp(index: PlacementIndex, op: RunOp): void {
  if (op.op === "step") index.steps.add(stepEntry(op.location, op.payload.internal_name));
  else if (op.op === "branch") index.branches.add(JSON.stringify(op.location));
  else if (op.op === "remove") index.steps.delete(stepEntry(op.location, op.payload));
}

/**
 * Where an update goes, as index entries, worked out once when it is queued (each location is
 * serialised once, and nothing of the caller's objects is read later).
 */
export interface Placement {
  /** Index entry the update adds (a step or a branch) or removes. */
  entry: string;
  kind: "step" | "branch" | "remove" | "run";
  /** Entry that must exist first: a step's branch (none at the top level), a branch's step. */
  parent: string | undefined;
  /** The location's JSON and the step's or branch's name, for messages. */
  location: string;
  name: string;
}

/** The placement of `op`; `location` is `JSON.stringify(op.location)` when the caller has it. */
export function placementOf(op: RunOp, location = JSON.stringify(op.location)): Placement {
  if (op.op === "step") {
    const name = op.payload.internal_name;
    return { kind: "step", entry: `${location}\u0000${name}`, parent: op.location.length === 0 ? undefined : location, location, name };
  }
  if (op.op === "branch") {
    const last = op.location[op.location.length - 1];
    const parent = last ? stepEntry(op.location.slice(0, -1), last[0]) : "";
    return { kind: "branch", entry: location, parent, location, name: op.payload.internal_name };
  }
  if (op.op === "remove") return { kind: "remove", entry: `${location}\u0000${op.payload}`, parent: undefined, location, name: op.payload };
  return { kind: "run", entry: "", parent: undefined, location, name: "" };
}

/** Why the update placed at `at` cannot be written (its parent step or branch is missing), or undefined. */
export function placementProblemAt(index: PlacementIndex, at: Placement): string | undefined {
  if (at.kind === "step") {
    if (at.parent === undefined || index.branches.has(at.parent)) return undefined;
    return `cannot put step log "${at.name}": there is no branch log at ${describeLocation(JSON.parse(at.location) as LogLocation)}`;
  }
  if (at.kind !== "branch") return undefined;
  const location = JSON.parse(at.location) as LogLocation;
  const last = location[location.length - 1];
  if (!last) return `cannot put branch log "${at.name}": its location is empty`;
  if (index.steps.has(at.parent!)) return undefined;
  return `cannot put branch log "${at.name}": there is no step log "${last[0]}" at ${describeLocation(location.slice(0, -1))}`;
}

/** Records what the update placed at `at` adds or removes. */
export function indexPlacement(index: PlacementIndex, at: Placement): void {
  if (at.kind === "step") index.steps.add(at.entry);
  else if (at.kind === "branch") index.branches.add(at.entry);
  else if (at.kind === "remove") index.steps.delete(at.entry);
}
