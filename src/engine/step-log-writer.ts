import { isComposite, type Node } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import { newStepLog, type StepLog } from "../core/run-log.js";
import { nowMicros } from "../core/time.js";
import type { BranchContext, RunState } from "./run-state.js";

/**
 * A leaf step (task, stub, terminal) still running after this long gets its PROCESSING log written; one
 * that ends sooner is written once, finished. This halves the store writes of short steps (a 10,000-item
 * map of quick tasks), while anything slow still shows up as PROCESSING for live views.
 */
export const PROCESSING_WRITE_DELAY_MS = 100;

/** A step log being written, with when it started. */
export interface OpenStep {
  log: StepLog;
  startedMicros: number;
  /** Cancels a PROCESSING write not yet started, or waits for the one in flight. */
  settle?: () => Promise<void>;
}

/**
 * Creates a step's log (PROCESSING, with the run's code identity) and reports it. Composite steps are
 * stored at once (their branch logs are written inside them); leaf steps after a short delay.
 */
export async function openStep(run: RunState, node: Node, ctx: BranchContext): Promise<OpenStep> {
  const log = newStepLog(node.name, resolveName(node.internalName, ctx.mapVariable), node.kind);
  log.code_identities.push({ ...run.identity });
  log.status = "PROCESSING";
  // A copy: the log changes while the step runs (a failed attempt sets FAIL before a retry).
  const put = (): Promise<void> => run.services.runLogStore.putStep(run.plan.runId, ctx.location, { ...log, status: "PROCESSING" });
  const step: OpenStep = { log, startedMicros: nowMicros() };
  if (isComposite(node)) await put();
  else step.settle = deferred(put);
  run.services.onEvent?.({ type: "step-start", internalName: log.internal_name, kind: node.kind, depth: ctx.location.length });
  return step;
}

function deferred(write: () => Promise<void>): () => Promise<void> {
  let written: Promise<void> | undefined;
  const timer = setTimeout(() => {
    written = write();
    // Failures surface when the step closes; until then they must not count as unhandled.
    written.catch(() => undefined);
  }, PROCESSING_WRITE_DELAY_MS);
  return async () => {
    clearTimeout(timer);
    await written;
  };
}

/** Stores a finished step log (after any PROCESSING write of it) and reports it. */
export async function closeStep(run: RunState, ctx: BranchContext, step: OpenStep): Promise<void> {
  await step.settle?.();
  await run.services.runLogStore.putStep(run.plan.runId, ctx.location, step.log);
  run.services.onEvent?.({
    type: "step-end",
    internalName: step.log.internal_name,
    kind: step.log.step_type,
    status: step.log.status,
    durationMs: (nowMicros() - step.startedMicros) / 1000,
    depth: ctx.location.length,
  });
}
