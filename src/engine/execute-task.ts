import { rm } from "node:fs/promises";
import { isRunnableError, messageOf } from "../core/errors.js";
import type { StubNode, TaskNode } from "../core/graph.js";
import { MetricSeries } from "../core/metrics.js";
import { kindsFor, type ParameterKinds } from "../core/returns.js";
import type { Attempt, DataCatalog, Parameters, Status, StepLog } from "../core/run-log.js";
import { stopMessage } from "../core/stop.js";
import type { TaskOutcome } from "../ports/task-runner.js";
import { makeAttempt } from "./attempt.js";
import { attemptProcesses } from "./attempt-processes.js";
import { catalogGet, catalogPut, catalogPutAfterFailure } from "./catalog-sync.js";
import { attemptSignal, type AttemptSignal } from "./attempt-signal.js";
import { closeExecutionLog, openExecutionLog, type StepOutput } from "./step-output.js";
import { maskDeep, maskSecrets } from "./masking.js";
import { type BranchContext, type RunState, type StepPlace, stopReason } from "./run-state.js";
import { assignParameters, recordedParameters } from "./scope.js";
import { closeLeafStep, closeStep, nextAttemptNumber, openStep, type OpenStep } from "./step-log-writer.js";
import { invocationFor } from "./task-invocation.js";
import { outputsProblem, taskOutputs, withMetricReturns } from "./task-outputs.js";
import { withItemCommand } from "./catalog-puts.js";

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
    if ((await recordAttempt(run, ctx, step.log, { node: target, number, started, outcome })) === "SUCCESS" || stopReason(run)) break;
  }
  if (step.log.attempts.length === 0 || step.log.status === "PROCESSING") markNotRun(run, step.log);
  mergeRecords(step.log, await closeExecutionLog(run, output, step.log));
  await closeLeafStep(run, ctx, step, place);
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
 * (`metric_times_ms`). A successful attempt of a task declaring `returns` records what it returned
 * (`output_parameters`, with their kinds). Secrets are masked in everything kept. Returns the status.
 */
async function recordAttempt(
  run: RunState,
  ctx: BranchContext,
  log: StepLog,
  attempt: { node: TaskNode; number: number; started: number; outcome: TaskOutcome },
): Promise<Status> {
  const { outcome, number } = attempt;
  const status: Status = outcome.failure === undefined ? "SUCCESS" : "FAIL";
  const message = outcome.failure === undefined ? "" : maskSecrets(outcome.failure, run.secretValues);
  const series = maskedSeries(run, MetricSeries.from(outcome.metrics));
  const tracked = series.size > 0;
  const metrics = series.collapsed();
  const record = inputRecord(run, ctx, { number, started: attempt.started, status, message });
  if (status === "FAIL" && tracked) record.user_defined_metrics = metrics;
  if (tracked) record.metric_times_ms = series.times();
  const outputs = status === "SUCCESS" ? taskOutputs(attempt.node, outcome) : undefined;
  if (outputs?.returned)
    withKinds(record, "output_parameters", maskDeep(outputs.returned, run.secretValues), kindsFor(outputs.kinds, Object.keys(outputs.returned)));
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
  if (outputs) {
    log.user_defined_metrics = metrics;
    const changed = assignParameters(ctx.scope, maskDeep(outputs.values, run.secretValues), outputs.kinds);
    delete log.output_parameters;
    delete log.output_parameter_kinds;
    if (Object.keys(changed).length > 0) withKinds(log, "output_parameters", changed, kindsFor(outputs.kinds, Object.keys(changed)));
  }
  return status;
}

/** An attempt record with the parameters it saw and their kinds. */
function inputRecord(run: RunState, ctx: BranchContext, attempt: { number: number; started: number; status: Status; message: string }): Attempt {
  const parameters = recordedParameters(ctx.scope);
  const record = makeAttempt({
    number: attempt.number,
    startedMicros: attempt.started,
    endedMicros: run.services.now(),
    status: attempt.status,
    message: attempt.message,
    parameters,
  });
  const kinds = kindsFor(ctx.scope.kinds, Object.keys(parameters));
  if (Object.keys(kinds).length > 0) record.parameter_kinds = kinds;
  return record;
}

/** Sets `<field>` and, when some are not JSON, `<field without s>_kinds` (e.g. `output_parameter_kinds`). */
function withKinds(target: Attempt | StepLog, field: "output_parameters", values: Parameters, kinds: ParameterKinds): void {
  target[field] = values;
  if (Object.keys(kinds).length > 0) target.output_parameter_kinds = kinds;
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
  let scratch: Promise<string> | undefined;
  // Made only for runners that ask (subprocess tasks); in-process tasks pay nothing for it.
  const scratchDir = (): Promise<string> => (scratch ??= run.services.scratchDir());
  const processes = attemptProcesses(run);
  try {
    const put = { since: Date.now(), step: attempt.internalName };
    attempt.records.push(...(await catalogGet(run, node, ctx)));
    const runner = run.services.taskRunner(node.task.command_type);
    if (!runner) return failed(`no task runner for command_type "${node.task.command_type}"`);
    const invocation = await invocationFor(run, node, ctx, { ...attempt, output: attempt.output.log, signal: attempt.limit.signal, scratchDir, processes });
    const outcome = await Promise.race([
      runner.run(invocation),
      // A runner that cannot be killed (in-process code ignoring its signal) is given up on after the grace period.
      attempt.limit.expired(run.services.stopGraceMs).then((reason): TaskOutcome => failed(stopMessage(reason))),
    ]);
    const stopped = attempt.limit.reason();
    if (stopped) return { ...outcome, failure: stopMessage(stopped), parameters: {} };
    if (outcome.failure !== undefined) {
      const after = await catalogPutAfterFailure(run, node, ctx, put, outcome.failure);
      attempt.records.push(...after.records);
      return { ...outcome, failure: after.failure };
    }
    const unkept = outputsProblem(node, outcome);
    if (unkept) return { ...outcome, failure: unkept, parameters: {} };
    attempt.records.push(...(await catalogPut(run, node, ctx, put)));
    return withMetricReturns(node, outcome, Date.now());
  } catch (error) {
    const stopped = attempt.limit.reason();
    if (stopped) return failed(stopMessage(stopped));
    if (!isRunnableError(error)) attempt.output.log.write("stderr", `${error instanceof Error ? error.stack : error}\n`);
    return failed(messageOf(error));
  } finally {
    // What the attempt's processes left running outside their group (setsid) ends with it.
    await processes.sweep();
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
    log.data_catalog.push(...(await catalogGet(run, node, ctx)));
    log.data_catalog.push(...(await catalogPut(run, node, ctx)));
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
  await closeLeafStep(run, ctx, step, place);
  return status;
}
