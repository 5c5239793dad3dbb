import { rm } from "node:fs/promises";
import { isRunnableError, messageOf } from "../core/errors.js";
import type { StubNode, TaskNode } from "../core/graph.js";
import { MetricSeries } from "../core/metrics.js";
import { parametersProblem } from "../core/parameters.js";
import type { DataCatalog, Status, StepLog } from "../core/run-log.js";
import { stopMessage } from "../core/stop.js";
import type { TaskOutcome } from "../ports/task-runner.js";
import { makeAttempt } from "./attempt.js";
import { attemptSignal, type AttemptSignal } from "./attempt-signal.js";
import { closeExecutionLog, openExecutionLog, type StepOutput } from "./step-output.js";
import { maskDeep, maskSecrets } from "./masking.js";
import { type BranchContext, type RunState, type StepPlace, stopReason } from "./run-state.js";
import { assignParameters, recordedParameters } from "./scope.js";
import { closeStep, nextAttemptNumber, openStep, type OpenStep } from "./step-log-writer.js";
import { invocationFor } from "./task-invocation.js";
import { itemPattern, putForAttempt, withItemCommand } from "./catalog-puts.js";

/**
 * Runs a task step: up to `max_attempts` attempts (numbered on from earlier ones in a retry), catalog
 * get/put, execution log, parameters, metrics. A stopped run starts no further attempt; an attempt past
 * the step's time limit is stopped and fails like any other.
 */
export async function executeTask(run: RunState, node: TaskNode, ctx: BranchContext, place: StepPlace): Promise<Status> {
  const step = await openStep(run, node, ctx, place);
  const disposition = run.services.executor.disposition?.(node) ?? { kind: "run" as const, node };
  if (disposition.kind === "mock") return recordMocked(run, node, ctx, step);
  const target = withItemCommand(disposition.node as TaskNode, ctx);
  const output = await openExecutionLog(run, node, ctx, step.log);
  const first = nextAttemptNumber(step.log);
  for (let number = first; number < first + target.maxAttempts; number++) {
    if (stopReason(run)) break;
    if (target.maxAttempts > 1) output.log.note(`--- attempt ${number - first + 1} of ${target.maxAttempts} ---`);
    const started = run.services.now();
    const records: DataCatalog[] = [];
    const limit = attemptSignal(run, run.services.executor.stepTimeLimitMs(target));
    let outcome: TaskOutcome;
    try {
      outcome = await attemptTask(run, target, ctx, { number, output, records, limit, internalName: step.log.internal_name });
    } finally {
      limit.dispose();
    }
    mergeRecords(step.log, records);
    if ((await recordAttempt(run, ctx, step.log, { number, started, outcome })) === "SUCCESS" || stopReason(run)) break;
  }
  if (step.log.attempts.length === 0 || step.log.status === "PROCESSING") markNotRun(run, step.log);
  mergeRecords(step.log, await closeExecutionLog(run, output, step.log));
  await closeStep(run, ctx, step);
  return step.log.status;
}

/** A step the run was stopped before it could (re)try: FAIL, saying why. */
function markNotRun(run: RunState, log: StepLog): void {
  const reason = stopReason(run);
  log.status = "FAIL";
  log.message = reason ? stopMessage(reason) : "no attempt was made";
}

/** Adds catalog records; a record of the same name and stage replaces the earlier one (a later attempt's). */
function mergeRecords(log: StepLog, records: readonly DataCatalog[]): void {
  for (const record of records) {
    const at = log.data_catalog.findIndex((entry) => entry.name === record.name && entry.stage === record.stage);
    if (at >= 0) log.data_catalog[at] = record;
    else log.data_catalog.push(record);
  }
}

/**
 * Records one attempt. Metrics of a failed attempt stay on that attempt (`user_defined_metrics`), those
 * of the successful one become the step's; every attempt keeps when each value was recorded
 * (`metric_times_ms`). Secrets are masked in everything kept. Returns the attempt's status.
 */
async function recordAttempt(
  run: RunState,
  ctx: BranchContext,
  log: StepLog,
  attempt: { number: number; started: number; outcome: TaskOutcome },
): Promise<Status> {
  const { outcome, number } = attempt;
  const status: Status = outcome.failure === undefined ? "SUCCESS" : "FAIL";
  const message = outcome.failure === undefined ? "" : maskSecrets(outcome.failure, run.secretValues);
  const series = maskedSeries(run, MetricSeries.from(outcome.metrics));
  const tracked = series.size > 0;
  const metrics = series.collapsed();
  const record = makeAttempt({
    number,
    startedMicros: attempt.started,
    endedMicros: run.services.now(),
    status,
    message,
    parameters: recordedParameters(ctx.scope),
  });
  if (status === "FAIL" && tracked) record.user_defined_metrics = metrics;
  if (tracked) record.metric_times_ms = series.times();
  log.attempts.push(record);
  log.status = status;
  log.message = "";
  await run.services.tracker.publish(log.internal_name, series, ctx.tracked);
  run.services.onEvent?.({
    type: "attempt-end",
    internalName: log.internal_name,
    attempt: number,
    status,
    message,
    durationMs: (run.services.now() - attempt.started) / 1000,
  });
  if (status === "SUCCESS") {
    log.user_defined_metrics = metrics;
    const changed = assignParameters(ctx.scope, maskDeep(outcome.parameters, run.secretValues));
    if (Object.keys(changed).length > 0) log.output_parameters = changed;
    else delete log.output_parameters;
  }
  return status;
}

/** The series with secrets masked in keys and values (the same series when the run has no secrets). */
function maskedSeries(run: RunState, series: MetricSeries): MetricSeries {
  if (run.secretValues.size === 0) return series;
  const masked = new MetricSeries();
  for (const p of series) masked.record(maskSecrets(p.key, run.secretValues), p.step, maskDeep(p.value, run.secretValues), p.time_ms);
  return masked;
}

interface AttemptContext {
  number: number;
  output: StepOutput;
  records: DataCatalog[];
  limit: AttemptSignal;
  internalName: string;
}

async function attemptTask(run: RunState, node: TaskNode, ctx: BranchContext, attempt: AttemptContext): Promise<TaskOutcome> {
  const { catalog } = run.services;
  let scratch: Promise<string> | undefined;
  // Made only for runners that ask (subprocess tasks); in-process tasks pay nothing for it.
  const scratchDir = (): Promise<string> => (scratch ??= run.services.scratchDir());
  try {
    const since = Date.now();
    for (const pattern of node.catalog?.get ?? []) attempt.records.push(...(await catalog.get(itemPattern(pattern, ctx), run.plan.runId)));
    const runner = run.services.taskRunner(node.task.command_type);
    if (!runner) return failed(`no task runner for command_type "${node.task.command_type}"`);
    const invocation = await invocationFor(run, node, ctx, { ...attempt, output: attempt.output.log, signal: attempt.limit.signal, scratchDir });
    const outcome = await Promise.race([
      runner.run(invocation),
      // A runner that cannot be killed (in-process code ignoring its signal) is given up on after the grace period.
      attempt.limit.expired(run.services.stopGraceMs).then((reason): TaskOutcome => failed(stopMessage(reason))),
    ]);
    const stopped = attempt.limit.reason();
    if (stopped) return { ...outcome, failure: stopMessage(stopped), parameters: {} };
    if (outcome.failure !== undefined) return outcome;
    const unkept = parametersProblem(outcome.parameters);
    if (unkept) return { ...outcome, failure: `the task's output cannot be kept: ${unkept}`, parameters: {} };
    const put = { since, step: attempt.internalName };
    for (const pattern of node.catalog?.put ?? []) attempt.records.push(...(await putForAttempt(run, ctx, pattern, put)));
    return outcome;
  } catch (error) {
    const stopped = attempt.limit.reason();
    if (stopped) return failed(stopMessage(stopped));
    if (!isRunnableError(error)) attempt.output.log.write("stderr", `${error instanceof Error ? error.stack : error}\n`);
    return failed(messageOf(error));
  } finally {
    if (scratch) await releaseScratch(run, await scratch);
  }
}

const releaseScratch = (run: RunState, dir: string): Promise<void> => run.services.releaseScratchDir?.(dir) ?? rm(dir, { recursive: true, force: true });

const failed = (failure: string): TaskOutcome => ({ failure, parameters: {}, metrics: [] });

/** A mocked step: recorded as run (`mock: true`, a SUCCESS attempt) without running; its catalog get/put still run. */
async function recordMocked(run: RunState, node: TaskNode | StubNode, ctx: BranchContext, step: OpenStep): Promise<Status> {
  step.log.mock = true;
  const started = run.services.now();
  const message = await catalogOnly(run, node, step.log, ctx);
  const status: Status = message ? "FAIL" : "SUCCESS";
  const parameters = recordedParameters(ctx.scope);
  step.log.attempts.push(
    makeAttempt({ number: nextAttemptNumber(step.log), startedMicros: started, endedMicros: run.services.now(), status, message, parameters }),
  );
  step.log.status = status;
  await closeStep(run, ctx, step);
  return status;
}

/** Runs a step's catalog get and put; returns why they failed, or "". */
async function catalogOnly(run: RunState, node: TaskNode | StubNode, log: StepLog, ctx: BranchContext): Promise<string> {
  try {
    for (const p of node.catalog?.get ?? []) log.data_catalog.push(...(await run.services.catalog.get(itemPattern(p, ctx), run.plan.runId)));
    for (const p of node.catalog?.put ?? []) log.data_catalog.push(...(await run.services.catalog.put(itemPattern(p, ctx), run.plan.runId)));
    return "";
  } catch (error) {
    return messageOf(error);
  }
}

/** Runs a stub step: catalog get/put only, always a successful attempt unless the catalog fails. */
export async function executeStub(run: RunState, node: StubNode, ctx: BranchContext, place: StepPlace): Promise<Status> {
  const step = await openStep(run, node, ctx, place);
  if (run.services.executor.disposition?.(node).kind === "mock") return recordMocked(run, node, ctx, step);
  const started = run.services.now();
  const message = await catalogOnly(run, node, step.log, ctx);
  const status: Status = message ? "FAIL" : "SUCCESS";
  step.log.attempts.push(
    makeAttempt({
      number: nextAttemptNumber(step.log),
      startedMicros: started,
      endedMicros: run.services.now(),
      status,
      message,
      parameters: recordedParameters(ctx.scope),
    }),
  );
  step.log.status = status;
  await closeStep(run, ctx, step);
  return status;
}
