import { isRunnableError, messageOf, RunnableError } from "../core/errors.js";
import { allNodes, type StubNode, type TaskNode } from "../core/graph.js";
import type { DataCatalog } from "../core/run-log.js";
import type { PutOptions } from "../ports/catalog.js";
import { attemptPutOptions, itemPattern } from "./catalog-puts.js";
import type { BranchContext, RunState } from "./run-state.js";

// A step's catalog get (before its attempt) and put (after it), as runnable does them (§7.4), with
// runnable 0.50's additions: `store_copy: false` records what a put finds without copying it, and the
// put after a failed attempt catalogs the files that exist (nothing found is then not an error); and
// what keeps map items apart (catalog-puts.ts): `${<iterate_as>}` in patterns, an attempt's put of only
// the files it made, no name put by two concurrent branches.

/** The attempt a put belongs to: when it started (epoch ms) and its step's internal name. */
export interface PutAttempt {
  since: number;
  step: string;
}

/** Brings the files of the step's `catalog.get` patterns from the run's catalog into the working directory. */
export async function catalogGet(run: RunState, node: TaskNode | StubNode, ctx: BranchContext): Promise<DataCatalog[]> {
  const records: DataCatalog[] = [];
  for (const pattern of node.catalog?.get ?? []) {
    try {
      records.push(...(await run.services.catalog.get(itemPattern(pattern, ctx), run.plan.runId)));
    } catch (error) {
      throw explainUncopied(run, error);
    }
  }
  return records;
}

/**
 * Puts the files of the step's `catalog.put` patterns into the run's catalog (only records them with
 * `store_copy: false`). For an attempt, only the files it made (see catalog-puts.ts). After a failed
 * attempt (`failed`), what exists is put and a pattern matching nothing is skipped.
 */
export async function catalogPut(run: RunState, node: TaskNode | StubNode, ctx: BranchContext, attempt?: PutAttempt, failed = false): Promise<DataCatalog[]> {
  const options: PutOptions = {
    ...(node.catalog?.storeCopy === false ? { storeCopy: false } : {}),
    ...(failed ? { allowMissing: true } : {}),
    ...(attempt ? attemptPutOptions(run, ctx, attempt) : {}),
  };
  const records: DataCatalog[] = [];
  for (const pattern of node.catalog?.put ?? []) records.push(...(await run.services.catalog.put(itemPattern(pattern, ctx), run.plan.runId, options)));
  return records;
}

/**
 * The put after a failed attempt (runnable 0.50): its records, and the failure to report — the task's,
 * with the put's own failure added when the put could not be made.
 */
export async function catalogPutAfterFailure(
  run: RunState,
  node: TaskNode,
  ctx: BranchContext,
  attempt: PutAttempt,
  failure: string,
): Promise<{ records: DataCatalog[]; failure: string }> {
  try {
    return { records: await catalogPut(run, node, ctx, attempt, true), failure };
  } catch (error) {
    return { records: [], failure: `${failure} (and the catalog put of the files it left failed: ${messageOf(error)})` };
  }
}

/** A get that found nothing, explained when the pipeline has puts that only record files (store_copy: false). */
function explainUncopied(run: RunState, error: unknown): unknown {
  if (!isRunnableError(error, "CATALOG_ERROR")) return error;
  const uncopied = [...allNodes(run.plan.graph)].filter((node) => (node.kind === "task" || node.kind === "stub") && node.catalog?.storeCopy === false);
  if (uncopied.length === 0) return error;
  const names = uncopied.map((node) => `"${node.internalName}"`).join(", ");
  // In the message itself: it becomes the attempt's message in the step log.
  const why = `step${uncopied.length > 1 ? "s" : ""} ${names} put files with store_copy: false, which records their hash without copying them into the catalog`;
  return new RunnableError("CATALOG_ERROR", `${error.message} (${why})`, {
    hint: "drop store_copy: false from the put of a file a later step gets",
    cause: error,
  });
}
