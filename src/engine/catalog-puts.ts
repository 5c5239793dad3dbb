import { RunnableError } from "../core/errors.js";
import type { TaskNode } from "../core/graph.js";
import { escapeGlob, withItemValues } from "../core/item-values.js";
import type { LogLocation } from "../core/run-log.js";
import type { PutOptions } from "../ports/catalog.js";
import type { BranchContext, RunState } from "./run-state.js";

// What keeps files of map items and runs apart in the catalog: a step's patterns and command get the
// item's value for `${<iterate_as>}`; an attempt's put stores only files the attempt made (the
// catalog's `stale_files` rule, given the attempt's start); and two branches of one composite step
// that may run at once (the executor runs more than one branch at a time) cannot put the same catalog
// name: the second fails, naming both.

/** Who put a catalog name first in this run (process). */
interface Claim {
  location: LogLocation;
  step: string;
}

/** A catalog pattern with the enclosing maps' values for `${<iterate_as>}` (made literal in the glob). */
export function itemPattern(pattern: string, ctx: BranchContext): string {
  return withItemValues(pattern, ctx.mapVariable, escapeGlob);
}

/** The task with the enclosing maps' values for `${<iterate_as>}` in its command. */
export function withItemCommand(node: TaskNode, ctx: BranchContext): TaskNode {
  const command = withItemValues(node.task.command, ctx.mapVariable);
  return command === node.task.command ? node : { ...node, task: { ...node.task, command } };
}

/**
 * Where two locations part: the composite step and the two branches, when they are different branches
 * of one composite step (which may run at the same time); undefined when one runs after the other.
 */
function parting(a: LogLocation, b: LogLocation): { step: string; first: string; second: string } | undefined {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [stepA, branchA] = a[i]!;
    const [stepB, branchB] = b[i]!;
    if (stepA !== stepB) return undefined;
    if (branchA !== branchB) return { step: stepA, first: branchA, second: branchB };
  }
  return undefined;
}

function claimNames(run: RunState, ctx: BranchContext, step: string, names: readonly string[]): void {
  const claims = (run.catalogClaims ??= new Map<string, Claim>());
  const concurrent = run.services.executor.maxParallel > 1;
  for (const name of names) {
    const earlier = claims.get(name);
    const apart = earlier && concurrent ? parting(earlier.location, ctx.location) : undefined;
    if (earlier && apart) {
      throw new RunnableError(
        "CATALOG_ERROR",
        `Catalog put of "${name}" by step ${step} (branch ${apart.second}) would replace the file step ${earlier.step} (branch ${apart.first}) put: ` +
          `branches of ${apart.step} run at the same time, so which file the catalog keeps would depend on timing`,
        {
          hint: "Give each item its own file name, e.g. model_${lr}.pt in the step's command and catalog pattern (a map's iterate_as is replaced by the item's value), or run the branches one at a time (no enable_parallel).",
        },
      );
    }
    claims.set(name, { location: ctx.location, step });
  }
}

/** The put options of an attempt: only files made since it started, names no concurrent branch put. */
export function attemptPutOptions(run: RunState, ctx: BranchContext, attempt: { since: number; step: string }): PutOptions {
  return {
    since: attempt.since,
    owner: `step ${attempt.step}`,
    claim: (names) => claimNames(run, ctx, attempt.step, names),
  };
}
