import type { LoopNode } from "../core/graph.js";
import type { StepLog } from "../core/run-log.js";
import { loopIteration } from "./branch-plan.js";
import { type LoopOutcome, breakValue, keptScope } from "./execute-loop.js";
import { changedParameters } from "./fan-in.js";
import type { BranchContext, RunState, Scope } from "./run-state.js";

// A loop whose iterations are walked by somebody else (Argo's recursive template): after each
// iteration a pod asks whether another follows (`fan --mode next`), and the loop's fan-in decides its
// status from the stored iterations, as runLoop decides it in a walk of its own.

/** The iteration indexes recorded under a loop's step log, in order. */
function recordedIterations(stored: StepLog): number[] {
  const prefix = `${stored.internal_name}.`;
  return Object.keys(stored.branches)
    .filter((key) => key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length)))
    .map((key) => Number(key.slice(prefix.length)))
    .sort((a, b) => a - b);
}

/** How a loop ended, read from its stored iterations (what runLoop would have decided). */
export function storedLoopOutcome(node: LoopNode, ctx: BranchContext, stored: StepLog): LoopOutcome {
  let scope: Scope = ctx.scope;
  for (let index = 0; index < node.maxIterations; index++) {
    const key = `${stored.internal_name}.${index}`;
    const branch = stored.branches[key];
    if (!branch) return { message: `iteration ${index} of loop "${node.name}" never ran`, produced: {} };
    scope = keptScope(scope, branch);
    if (branch.status !== "SUCCESS") {
      const { changed, kinds } = changedParameters(ctx.scope, scope);
      return { message: `iteration ${index} of loop "${node.name}" failed (branch ${key})`, produced: changed, kinds };
    }
    const stop = breakValue(node, scope, index);
    if (typeof stop === "string") return { message: stop, produced: {} };
    if (stop || index === node.maxIterations - 1) {
      const { changed, kinds } = changedParameters(ctx.scope, scope);
      return { message: "", produced: changed, kinds };
    }
  }
  return { message: "", produced: {} };
}

/**
 * After the last recorded iteration of a loop: the index of the next one (its branch log created), or
 * -1 when the loop is over (that iteration failed, set break_on, or was the last allowed).
 */
export async function nextIteration(run: RunState, node: LoopNode, ctx: BranchContext, stored: StepLog): Promise<number> {
  const last = recordedIterations(stored).at(-1);
  if (last === undefined) return -1;
  let scope: Scope = ctx.scope;
  for (let index = 0; index <= last; index++) {
    const branch = stored.branches[`${stored.internal_name}.${index}`];
    if (branch?.status !== "SUCCESS") return -1;
    scope = keptScope(scope, branch);
  }
  if (breakValue(node, scope, last) !== false || last + 1 >= node.maxIterations) return -1;
  const plan = loopIteration(node, ctx, stored.internal_name, last + 1, scope);
  await run.services.runLogStore.putBranch(
    run.plan.runId,
    [...ctx.location, [stored.internal_name, plan.key]],
    { internal_name: plan.key, status: "CREATED", steps: {} },
    plan.index,
  );
  return plan.index;
}
