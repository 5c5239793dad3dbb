import { isComposite, type Node } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import { jsonEqual } from "../core/parameters.js";
import { newStepLog, type StepLog } from "../core/run-log.js";
import type { BranchContext, RunState, StepPlace, TerminalWrite } from "./run-state.js";

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
  seq: number;
  /** Cancels a PROCESSING write not yet started, or waits for the one in flight. */
  settle?: () => Promise<void>;
  /** A lazily opened composite's PROCESSING writes, not issued yet. */
  open?: () => Promise<void>;
  /** Right before its graph's success node (see {@link BranchContext.lastWithBranch}). */
  last?: boolean;
}

/**
 * The log a step starts from: in a retry, its earlier record (attempts are appended to it; this run's
 * code identity is added when it differs), else a new one with the run's code identity.
 */
function startingLog(run: RunState, node: Node, ctx: BranchContext, place: StepPlace): StepLog {
  if (ctx.prior?.mode === "retry" && place.prior) {
    // The branches stay out: they are written on their own (a map's may be tens of thousands).
    const { branches: _branches, ...own } = place.prior;
    const log: StepLog = { ...structuredClone(own), branches: {} };
    for (const identity of run.identities) {
      if (!log.code_identities.some((known) => jsonEqual(known, identity))) log.code_identities.push({ ...identity });
    }
    return log;
  }
  const log = newStepLog(node.name, resolveName(node.internalName, ctx.mapVariable, ctx.loops), node.kind);
  for (const identity of run.identities) log.code_identities.push({ ...identity });
  return log;
}

/**
 * Opens a step's log (PROCESSING) and reports it. Composite steps are stored at once (their branch
 * logs are written inside them); leaf steps after a short delay.
 */
export async function openStep(
  run: RunState,
  node: Node,
  ctx: BranchContext,
  place: StepPlace,
  announce = true,
  composite: { alongside?: (log: StepLog) => Promise<void>; lazy?: boolean } = {},
): Promise<OpenStep> {
  const log = startingLog(run, node, ctx, place);
  log.status = "PROCESSING";
  // A copy: the log changes while the step runs (a failed attempt sets FAIL before a retry).
  const put = (): Promise<void> => {
    ctx.openParents?.();
    return run.services.runLogStore.putStep(run.plan.runId, ctx.location, { ...log, status: "PROCESSING" }, place.seq);
  };
  const step: OpenStep = { log, startedMicros: run.services.now(), seq: place.seq, ...(place.last ? { last: true } : {}) };
  // A composite's first branch log may go with it (`alongside`, issued right after it: one store write);
  // `lazy` leaves both to `step.open`, for the first write of a child (see BranchContext.openParents).
  const open = (): Promise<void> => Promise.all([put(), composite.alongside?.(log)]).then(() => undefined);
  if (isComposite(node) && composite.lazy) step.open = open;
  else if (isComposite(node)) await open();
  else step.settle = deferredWrite(put);
  if (announce) run.services.onEvent?.({ type: "step-start", internalName: log.internal_name, kind: node.kind, depth: ctx.location.length });
  return step;
}

/** Runs `write` after {@link PROCESSING_WRITE_DELAY_MS} unless settled first; settling waits for a write in flight. */
export function deferredWrite(write: () => Promise<void>): () => Promise<void> {
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
  if (step.last && step.log.status === "SUCCESS" && ctx.lastWithBranch && ctx.terminalWrites) {
    ctx.terminalWrites.push((previous) => writeClosed(run, ctx, step, previous));
    return;
  }
  await writeClosed(run, ctx, step);
}

/**
 * Closes a composite step together with writes under it (`inside`: its branch's final log and steps
 * left for it), issued right after its own so they go in the same store write and are placed under it;
 * its end is reported after theirs (and after `previous`'s, when it is a terminal write). `before`: its
 * PROCESSING writes, when they were issued.
 */
export async function closeStepAround(
  run: RunState,
  ctx: BranchContext,
  step: OpenStep,
  inside: (() => Promise<void>) | undefined,
  before: Promise<void> | undefined,
  previous?: Promise<void>,
): Promise<void> {
  // No await before the writes are issued: as a terminal write, they go with the ones issued beside them.
  if (step.settle) await step.settle();
  ctx.openParents?.();
  const own = run.services.runLogStore.putStep(run.plan.runId, ctx.location, step.log, step.seq);
  await Promise.all([before, own, inside?.(), previous]);
  reportEnd(run, ctx, step);
}

/**
 * Closes a step whose write its caller issues together with its own (see
 * {@link BranchContext.terminalWrites}); closes it at once when nobody collects it.
 */
export async function closeStepWithCaller(run: RunState, ctx: BranchContext, step: OpenStep): Promise<void> {
  await step.settle?.();
  if (ctx.terminalWrites) ctx.terminalWrites.push((previous) => writeClosed(run, ctx, step, previous));
  else await writeClosed(run, ctx, step);
}

/**
 * Closes a leaf step. When the step it leads to is its graph's terminal one and the caller collects
 * terminal writes, the write is issued now but awaited with theirs: nothing runs in between (a
 * terminal step only records itself), and the store appends all of it at once (one write per map item).
 * A step right before its graph's success node in a branch closed with its parent (a conditional's:
 * {@link BranchContext.lastWithBranch}) is left to the terminal writes altogether.
 */
export async function closeLeafStep(run: RunState, ctx: BranchContext, step: OpenStep, place: StepPlace): Promise<void> {
  await step.settle?.();
  if (step.last && step.log.status === "SUCCESS" && ctx.lastWithBranch && ctx.terminalWrites) {
    ctx.terminalWrites.push((previous) => writeClosed(run, ctx, step, previous));
    return;
  }
  if (!ctx.terminalWrites || !place.leadsToTerminal?.(step.log.status)) return writeClosed(run, ctx, step);
  ctx.openParents?.();
  const written = run.services.runLogStore.putStep(run.plan.runId, ctx.location, step.log, step.seq);
  written.catch(() => undefined); // awaited with the terminal writes; never unhandled meanwhile
  reportEnd(run, ctx, step);
  ctx.terminalWrites.push((previous) => Promise.all([written, previous]).then(() => undefined));
}

/** Issues the writes left in a walk's `terminalWrites` at once (one store write); ends are reported in order. */
export function issueTerminalWrites(writes: readonly TerminalWrite[]): Promise<void> {
  let previous: Promise<void> = Promise.resolve();
  for (const write of writes) previous = write(previous);
  return previous;
}

async function writeClosed(run: RunState, ctx: BranchContext, step: OpenStep, previous?: Promise<void>): Promise<void> {
  ctx.openParents?.();
  const put = run.services.runLogStore.putStep(run.plan.runId, ctx.location, step.log, step.seq);
  await (previous ? Promise.all([put, previous]) : put);
  reportEnd(run, ctx, step);
}

function reportEnd(run: RunState, ctx: BranchContext, step: OpenStep): void {
  run.services.onEvent?.({
    type: "step-end",
    internalName: step.log.internal_name,
    kind: step.log.step_type,
    status: step.log.status,
    durationMs: (run.services.now() - step.startedMicros) / 1000,
    depth: ctx.location.length,
    message: step.log.message || (step.log.attempts.at(-1)?.message ?? ""),
  });
}

/** The number the next attempt of a step gets (attempts continue across retries: 1, 2, ...). */
export function nextAttemptNumber(log: StepLog): number {
  return log.attempts.reduce((max, attempt) => Math.max(max, attempt.attempt_number), 0) + 1;
}
