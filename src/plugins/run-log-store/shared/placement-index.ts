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

/** Why `op` cannot be placed (its parent step or branch is missing), or undefined. */
export function placementProblemIn(index: PlacementIndex, op: RunOp): string | undefined {
  if (op.op === "step") {
    if (op.location.length === 0 || index.branches.has(JSON.stringify(op.location))) return undefined;
    return `cannot put step log "${op.payload.internal_name}": there is no branch log at ${describeLocation(op.location)}`;
  }
  if (op.op !== "branch") return undefined;
  const last = op.location[op.location.length - 1];
  if (!last) return `cannot put branch log "${op.payload.internal_name}": its location is empty`;
  const parent = op.location.slice(0, -1);
  if (index.steps.has(stepEntry(parent, last[0]))) return undefined;
  return `cannot put branch log "${op.payload.internal_name}": there is no step log "${last[0]}" at ${describeLocation(parent)}`;
}
