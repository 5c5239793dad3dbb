import { join } from "node:path";
import { objectFileName, objectNames } from "../../../core/returns.js";
import { messageOf } from "../../../core/errors.js";
import type { TaskInvocation, TaskOutcome } from "../../../ports/task-runner.js";
import type { ChannelResult } from "./channel.js";

/** Python objects are pickles named as runnable 0.50 names them: `<object name>.dill`. */
export const PICKLE_EXTENSION = ".dill";

/**
 * What `context.json` tells the Python side about returns and objects: the declared returns (objects
 * with the catalog file to write), whether the task is runnable 0.50's (it has `returns`, even empty:
 * a function's other return values are ignored), the kinds of the parameters, and the file of every
 * object a parameter names (the Python side never computes file names).
 */
export function objectContext(invocation: Pick<TaskInvocation, "returns" | "parameterKinds" | "parameters" | "node">): Record<string, unknown> {
  const returns = invocation.returns.map((r) => (r.object ? { ...r, file: objectFileName(r.object, PICKLE_EXTENSION) } : r));
  const files: Record<string, string> = {};
  for (const [name, kind] of Object.entries(invocation.parameterKinds)) {
    if (kind !== "object") continue;
    for (const object of objectNames(invocation.parameters[name]) ?? []) files[object] = objectFileName(object, PICKLE_EXTENSION);
  }
  return { returns, declares_returns: invocation.node.returns !== undefined, parameter_kinds: invocation.parameterKinds, object_files: files };
}

/** Where the Python side pickles a returned object: `<channel>/objects/<file>` (files named by this side). */
export function objectPath(channelDir: string, file: string): string {
  return join(channelDir, "objects", file);
}

/**
 * Stores the objects a successful task pickled (into the run's catalog) and hands its returns on; an
 * object that cannot be stored fails the attempt.
 */
export async function storeReturnedObjects(
  invocation: TaskInvocation,
  channelDir: string,
  result: ChannelResult | undefined,
  outcome: TaskOutcome,
): Promise<TaskOutcome> {
  if (outcome.failure !== undefined || !result?.returns) return outcome;
  const returned = { ...result.returns };
  try {
    for (const r of invocation.returns) {
      if (!r.object || !Object.hasOwn(returned, r.name)) continue;
      const file = objectFileName(r.object, PICKLE_EXTENSION);
      await invocation.services.putObject(file, objectPath(channelDir, file));
      returned[r.name] = r.object;
    }
  } catch (error) {
    return { ...outcome, failure: `could not store a returned object: ${messageOf(error)}`, parameters: {} };
  }
  return { ...outcome, returns: returned };
}
