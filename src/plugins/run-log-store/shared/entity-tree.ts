import type { BranchLog, LogLocation, RunLog, StepLog } from "../../../core/run-log.js";
import { type RunOp, applyOp } from "./run-ops.js";

// Stores that keep every step and branch log as its own record (an S3 object, a database row) share
// how records are named, found again and nested back into one run log.

/** One stored step or branch log with where it sits and its place among its siblings. */
export interface StoredEntity {
  kind: "step" | "branch";
  /** A step: the location of its branch. A branch: its full location (ending with its own pair). */
  location: LogLocation;
  /** The log itself (a step's `branches` / a branch's `steps` are ignored). */
  data: StepLog | BranchLog;
  /** Sort key among siblings: the engine's seq, else the order of first write. */
  order: bigint;
  /** Breaks ties between equal orders (e.g. the record's key). */
  tie: string;
}

/** The identity of a step or branch record: the same for every writer of that entity. */
export function entityId(kind: "step" | "branch", location: LogLocation, name: string): string {
  return `${kind === "step" ? "s" : "b"}${JSON.stringify(location)}\u0000${name}`;
}

/** The name a record is keyed by among its siblings: a step's internal name, a branch's key. */
export function entityName(entity: Pick<StoredEntity, "kind" | "location" | "data">): string {
  return entity.kind === "step" ? entity.data.internal_name : (entity.location[entity.location.length - 1]?.[1] ?? entity.data.internal_name);
}

/** The identity of the record an entity must sit in, or undefined for a top-level step. */
export function parentId(kind: "step" | "branch", location: LogLocation): string | undefined {
  const last = location[location.length - 1];
  if (!last) return undefined;
  if (kind === "step") return entityId("branch", location, last[1]);
  return entityId("step", location.slice(0, -1), last[0]);
}

const depthOf = (entity: StoredEntity): number => (entity.kind === "step" ? 2 * entity.location.length : 2 * entity.location.length - 1);

const compare = (a: StoredEntity, b: StoredEntity): number =>
  depthOf(a) - depthOf(b) || (a.order < b.order ? -1 : a.order > b.order ? 1 : a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0);

/**
 * Nests step and branch records into `run` (whose `steps` are replaced): parents before children,
 * siblings by their order. Records whose parent is missing are left out and reported through `orphan`.
 */
export function assembleEntities(run: RunLog, entities: StoredEntity[], orphan: (entity: StoredEntity) => void): RunLog {
  run.steps = {};
  for (const entity of [...entities].sort(compare)) {
    const op: RunOp =
      entity.kind === "step"
        ? { op: "step", location: entity.location, payload: { ...(entity.data as StepLog), branches: {} } }
        : { op: "branch", location: entity.location, payload: { ...(entity.data as BranchLog), steps: {} } };
    if (!applyOp(run, op)) orphan(entity);
  }
  return run;
}

/** Removes the bookkeeping field a record may carry (`_location`) from its log. */
export function withoutLocation<T extends object>(data: T): T {
  if (!Object.hasOwn(data, "_location")) return data;
  const { _location: _, ...rest } = data as T & { _location?: unknown };
  return rest as T;
}

/** True when record `location` of kind `kind` lies inside the step `name` at `stepLocation` (or is it). */
export function isUnderStep(stepLocation: LogLocation, name: string, entity: Pick<StoredEntity, "kind" | "location" | "data">): boolean {
  if (entity.kind === "step" && entity.location.length === stepLocation.length && entity.data.internal_name === name) {
    return JSON.stringify(entity.location) === JSON.stringify(stepLocation);
  }
  if (entity.location.length <= stepLocation.length) return false;
  const head = entity.location.slice(0, stepLocation.length);
  return JSON.stringify(head) === JSON.stringify(stepLocation) && entity.location[stepLocation.length]![0] === name;
}
