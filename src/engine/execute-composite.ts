import { messageOf } from "../core/errors.js";
import type { CompositeNode, ConditionalNode, Graph } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import { cloneJson } from "../core/parameters.js";
import { kindsFor, type ParameterKinds } from "../core/returns.js";
import type { BranchLog, LogLocation, Parameters, Status, StepLog } from "../core/run-log.js";
import { stopMessage } from "../core/stop.js";
import { makeAttempt } from "./attempt.js";
import { type BranchPlan, branchContext, conditionalBranch, planBranches } from "./branch-plan.js";
import { runLoop } from "./execute-loop.js";
import { type BranchResult, changedParameters, fanIn } from "./fan-in.js";
import { mapLimit } from "../core/map-limit.js";
import { branchPrior } from "./prior.js";
import { reducerLookup } from "./reducer.js";
import { type BranchContext, type RunState, type StepPlace, stopReason } from "./run-state.js";
import { assignParameters, finalBranchLog, recordedParameters } from "./scope.js";
import { closeStep, closeStepAround, deferredWrite, issueTerminalWrites, nextAttemptNumber, openStep } from "./step-log-writer.js";

type GraphRunner = (run: RunState, graph: Graph, ctx: BranchContext) => Promise<Status>;

/** Branch logs written at once during fan-out (the store serialises what it must). */
const FAN_OUT_WRITES = 16;
/** Failed branches named in a composite step's message (the rest are counted). */
const NAMED_FAILURES = 10;

/** How one branch ended in this walk. */
type BranchOutcome =
  | { kind: "done"; status: Status; result: BranchResult; close?: () => Promise<void> }
  /** Not started because the run was stopped first. */
  | { kind: "not-started"; key: string };

/** What a composite step's branches came to. */
interface Fanned {
  message: string;
  /** Parameters fan-in set (what the step produced). */
  produced: Parameters;
  /** Kinds of the non-JSON ones. */
  kinds?: ParameterKinds;
  /** Branch writes issued but not awaited: they go to the store with the step's closing write. */
  pending?: Promise<void> | undefined;
  /** An opened branch's final writes, not issued yet: the step issues them right after its own closing write. */
  close?: (() => Promise<void>) | undefined;
}

/**
 * Runs a parallel, map, dag or conditional step (a loop: `runLoop`): creates the branch logs (fan-out, CREATED: not run yet), runs the
 * branches with the executor's concurrency limit, each on its own view of the parameters, then rolls
 * statuses and parameters up (fan-in). The step succeeds only when every branch does and fan-in finds
 * no conflict. In a retry, branches that succeeded before are kept and fan in from their stored logs.
 */
export async function executeComposite(run: RunState, node: CompositeNode, ctx: BranchContext, place: StepPlace, runGraph: GraphRunner): Promise<Status> {
  const early = node.kind === "conditional" ? chosenEarly(node, ctx, place) : undefined;
  const alongside =
    early &&
    ((log: StepLog) => run.services.runLogStore.putBranch(run.plan.runId, [...ctx.location, [log.internal_name, early.key]], processing(early), early.index));
  // In this process the conditional's logs wait for its branch's first write; a launching executor's
  // step processes write into them themselves, so they are written first.
  const lazy = early !== undefined && run.services.executor.capabilities.placement === "in-process";
  const step = await openStep(run, node, ctx, place, true, { ...(alongside ? { alongside } : {}), lazy });
  let opened: Promise<void> | undefined;
  const openParents = (): void => {
    if (opened || !step.open) return;
    ctx.openParents?.();
    opened = step.open();
    opened.catch(() => undefined); // awaited when the step closes
  };
  const started = run.services.now();
  const inputs = cloneJson(recordedParameters(ctx.scope));
  const inputKinds = kindsFor(ctx.scope.kinds, Object.keys(inputs));
  let fanned: Fanned;
  try {
    fanned = await fanOutAndIn(run, node, ctx, step.log, place.prior, runGraph, early && { plan: early, openParents, lazy });
  } catch (error) {
    fanned = { message: messageOf(error), produced: {} };
  }
  const status: Status = fanned.message ? "FAIL" : "SUCCESS";
  step.log.status = status;
  step.log.message = fanned.message;
  const attempt = makeAttempt({
    number: nextAttemptNumber(step.log),
    startedMicros: started,
    endedMicros: run.services.now(),
    status,
    message: fanned.message,
    parameters: inputs,
  });
  if (Object.keys(inputKinds).length > 0) attempt.parameter_kinds = inputKinds;
  step.log.attempts.push(attempt);
  // Only a failed loop hands parameters back: its failed iteration's, as runnable 0.50 rolls them back.
  if (status === "SUCCESS" || node.kind === "loop") recordProduced(step.log, assignParameters(ctx.scope, fanned.produced, fanned.kinds), fanned.kinds);
  if (fanned.close) {
    // When nothing was written under it, its final log and its branch's go to the store with the
    // branch's steps, in one write, and no PROCESSING write of either is needed.
    if (step.open && !opened) opened = Promise.resolve();
    const { close } = fanned;
    const before = opened;
    // Right before its graph's success node, it closes with that node's write and its graph's (one store write).
    if (place.last && status === "SUCCESS" && ctx.terminalWrites)
      ctx.terminalWrites.push((previous) => closeStepAround(run, ctx, step, close, before, previous));
    else await closeStepAround(run, ctx, step, close, before);
    return status;
  }
  openParents();
  await Promise.all([opened, fanned.pending, closeStep(run, ctx, step)]);
  return status;
}

const processing = (plan: BranchPlan): BranchLog => ({ internal_name: plan.key, status: "PROCESSING", steps: {} });

/**
 * The branch a conditional runs, known before its step log is written (so both go to the store in one
 * write), unless a retry keeps it or the choice fails (then the usual fan-out records why).
 */
function chosenEarly(node: ConditionalNode, ctx: BranchContext, place: StepPlace): BranchPlan | undefined {
  const stepKey = resolveName(node.internalName, ctx.mapVariable, ctx.loops);
  try {
    const plan = conditionalBranch(node, ctx, stepKey);
    return ctx.prior?.mode === "retry" && place.prior && Object.hasOwn(place.prior.branches, plan.key) ? undefined : plan;
  } catch {
    return undefined;
  }
}

/** Sets a composite step's `output_parameters` (what fan-in changed) and their kinds. */
export function recordProduced(log: StepLog, changed: Parameters, kinds: ParameterKinds | undefined): void {
  if (Object.keys(changed).length === 0) return;
  log.output_parameters = changed;
  const changedKinds = kindsFor(kinds, Object.keys(changed));
  if (Object.keys(changedKinds).length > 0) log.output_parameter_kinds = changedKinds;
}

async function fanOutAndIn(
  run: RunState,
  node: CompositeNode,
  ctx: BranchContext,
  log: StepLog,
  prior: StepLog | undefined,
  runGraph: GraphRunner,
  /** A conditional's branch whose PROCESSING log goes with the step's (no CREATED write; its final writes are left to the step). */
  early?: { plan: BranchPlan; openParents: () => void; lazy: boolean },
): Promise<Fanned> {
  if (node.kind === "loop") return runLoop(run, node, ctx, log, prior, runGraph);
  const opened = early?.plan;
  const stepKey = log.internal_name;
  const plans = planBranches(node, ctx, stepKey);
  const { runLogStore, executor } = run.services;
  const { runId } = run.plan;
  const locationOf = (key: string): LogLocation => [...ctx.location, [stepKey, key] as const];
  const kept = ctx.prior?.mode === "retry" ? (prior?.branches ?? {}) : {};
  const fresh = plans.filter((plan) => !Object.hasOwn(kept, plan.key) && plan.key !== opened?.key);
  await mapLimit(fresh, FAN_OUT_WRITES, (plan) =>
    runLogStore.putBranch(runId, locationOf(plan.key), { internal_name: plan.key, status: "CREATED", steps: {} }, plan.index),
  );
  const outcomes = await mapLimit(plans, executor.maxParallel, async (plan): Promise<BranchOutcome> => {
    const before = Object.hasOwn(kept, plan.key) ? kept[plan.key] : undefined;
    if (before?.status === "SUCCESS") return { kind: "done", status: "SUCCESS", result: keptResult(ctx, plan, before) };
    if (stopReason(run)) return { kind: "not-started", key: plan.key };
    const branchCtx = branchContext(ctx, plan, locationOf(plan.key));
    const priorSteps = branchPrior(ctx, prior, plan.key);
    if (priorSteps) branchCtx.prior = priorSteps;
    if (plan.key === opened?.key) {
      branchCtx.openParents = early!.openParents;
      if (early!.lazy) branchCtx.lastWithBranch = true;
    }
    return runBranch(run, plan, ctx, branchCtx, runGraph, plan.key === opened?.key);
  });
  const done = outcomes.filter((outcome): outcome is Extract<BranchOutcome, { kind: "done" }> => outcome.kind === "done");
  const close = done.find((outcome) => outcome.close)?.close;
  try {
    return { ...(await concluded(run, node, ctx, outcomes, { kept, locationOf })), close };
  } catch (error) {
    return { message: messageOf(error), produced: {}, close };
  }
}

/** The message and parameters of a composite step whose branches ran. */
async function concluded(
  run: RunState,
  node: CompositeNode,
  ctx: BranchContext,
  outcomes: readonly BranchOutcome[],
  { kept, locationOf }: { kept: Readonly<Record<string, BranchLog>>; locationOf: (key: string) => LogLocation },
): Promise<Fanned> {
  const done = outcomes.filter((outcome): outcome is Extract<BranchOutcome, { kind: "done" }> => outcome.kind === "done");
  const reason = stopReason(run);
  if (reason) return { message: await stoppedMessage(run, outcomes, kept, locationOf, reason), produced: {} };
  const failed = done.filter((outcome) => outcome.status !== "SUCCESS").map((outcome) => outcome.result.key);
  if (failed.length > 0) return { message: failureMessage(failed, outcomes.length), produced: {} };
  const merged = await fanIn(
    node,
    ctx.scope,
    done.map((outcome) => outcome.result),
    reducerLookup(run),
  );
  return "failure" in merged ? { message: merged.failure, produced: {} } : { message: "", produced: merged.parameters, kinds: merged.kinds };
}

/** What fan-in needs of a branch that succeeded in an earlier walk: its changes, from its stored log. */
export function keptResult(parent: BranchContext, plan: BranchPlan, branch: BranchLog): BranchResult {
  return { key: plan.key, ...changedParameters(parent.scope, { parameters: branch.parameters ?? {}, kinds: branch.parameter_kinds }, plan.ignore) };
}

/** Runs one branch and keeps only what fan-in needs (its changed parameters); its scope is dropped. */
async function runBranch(
  run: RunState,
  plan: BranchPlan,
  parent: BranchContext,
  ctx: BranchContext,
  runGraph: GraphRunner,
  opened = false,
): Promise<BranchOutcome> {
  const { runLogStore } = run.services;
  const { runId } = run.plan;
  const settle = opened ? async () => undefined : deferredWrite(() => runLogStore.putBranch(runId, ctx.location, processing(plan), plan.index));
  let status: Status;
  const walk: BranchContext = { ...ctx, terminalWrites: [] };
  try {
    status = await runGraph(run, plan.graph, walk);
  } finally {
    await settle();
  }
  // The terminal step's log and the branch's final log are issued together: one store write.
  const final = finalBranchLog(plan.key, status, ctx.scope);
  const changed = status === "SUCCESS" ? changedParameters(parent.scope, ctx.scope, plan.ignore) : { changed: {}, kinds: {} };
  // An opened branch's writes are issued by its step right after its closing write (its log first, then
  // the branch's, then the steps under it: each is placed under the one before); others finish here.
  if (opened) {
    const close = (): Promise<void> =>
      Promise.all([runLogStore.putBranch(runId, ctx.location, final, plan.index), issueTerminalWrites(walk.terminalWrites!)]).then(() => undefined);
    return { kind: "done", status, result: { key: plan.key, ...changed }, close };
  }
  await Promise.all([issueTerminalWrites(walk.terminalWrites!), runLogStore.putBranch(runId, ctx.location, final, plan.index)]);
  if (plan.tracked && ctx.tracked) await run.services.tracker.endBranch?.(ctx.tracked, status);
  return { kind: "done", status, result: { key: plan.key, ...changed } };
}

/**
 * The message of a composite step stopped with its run: branches that were running count as
 * interrupted, those never started are left CREATED (not run) — they are not failures.
 */
async function stoppedMessage(
  run: RunState,
  outcomes: readonly BranchOutcome[],
  kept: Readonly<Record<string, BranchLog>>,
  locationOf: (key: string) => LogLocation,
  reason: NonNullable<ReturnType<typeof stopReason>>,
): Promise<string> {
  let notStarted = 0;
  let interrupted = 0;
  let succeeded = 0;
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.kind === "done") {
      if (outcome.status === "SUCCESS") succeeded++;
      else interrupted++;
      continue;
    }
    notStarted++;
    // A branch a dead run left PROCESSING and this run did not restart is not running either.
    if (kept[outcome.key]?.status === "PROCESSING") {
      await run.services.runLogStore.putBranch(run.plan.runId, locationOf(outcome.key), { internal_name: outcome.key, status: "CREATED", steps: {} }, index);
    }
  }
  return `${stopMessage(reason)} (${outcomes.length} branches: ${interrupted} interrupted, ${notStarted} not started, ${succeeded} succeeded)`;
}

/** `3 of 20 branches failed: a, b, c` (the first ten named). */
export function failureMessage(failed: readonly string[], total: number): string {
  const named = failed.slice(0, NAMED_FAILURES).join(", ");
  const more = failed.length > NAMED_FAILURES ? ` and ${failed.length - NAMED_FAILURES} more` : "";
  return `${failed.length} of ${total} branches failed: ${named}${more}`;
}
