import { isRunnableError, messageOf } from "../core/errors.js";
import type { StubNode, TaskNode } from "../core/graph.js";
import { collapseMetrics, metricTimes } from "../core/metrics.js";
import { executionLogName } from "../core/names.js";
import type { DataCatalog, Status, StepLog } from "../core/run-log.js";
import { nowMicros } from "../core/time.js";
import type { TaskOutcome } from "../ports/task-runner.js";
import { makeAttempt } from "./attempt.js";
import { maskDeep, maskSecrets } from "./masking.js";
import { OutputCollector } from "./output-collector.js";
import type { BranchContext, RunState } from "./run-state.js";
import { assignParameters, recordedParameters } from "./scope.js";
import { closeStep, openStep } from "./step-log-writer.js";
import { invocationFor } from "./task-invocation.js";

/** Runs a task step: up to `max_attempts` attempts, catalog get/put, execution log, parameters, metrics. */
export async function executeTask(run: RunState, node: TaskNode, ctx: BranchContext): Promise<Status> {
  const step = await openStep(run, node, ctx);
  const output = new OutputCollector(
    () => run.secretValues,
    (stream, text) => run.services.onEvent?.({ type: "task-output", internalName: step.log.internal_name, stream, text }),
  );
  for (let number = 1; number <= node.maxAttempts; number++) {
    if (node.maxAttempts > 1) output.note(`--- attempt ${number} of ${node.maxAttempts} ---`);
    const started = nowMicros();
    const records: DataCatalog[] = [];
    const outcome = await attemptTask(run, node, ctx, { number, output, records, internalName: step.log.internal_name });
    step.log.data_catalog.push(...records);
    if ((await recordAttempt(run, node, ctx, step.log, { number, started, outcome })) === "SUCCESS") break;
  }
  await putExecutionLog(run, node, ctx, step.log.data_catalog, output.text());
  await closeStep(run, ctx, step);
  return step.log.status;
}

/**
 * Records one attempt. Metrics of a failed attempt stay on that attempt (`user_defined_metrics`), those
 * of the successful one become the step's; every attempt keeps when each value was recorded
 * (`metric_times_ms`). Secrets are masked in everything kept. Returns the attempt's status.
 */
async function recordAttempt(
  run: RunState,
  node: TaskNode,
  ctx: BranchContext,
  log: StepLog,
  attempt: { number: number; started: number; outcome: TaskOutcome },
): Promise<Status> {
  const { outcome, number } = attempt;
  const status: Status = outcome.failure === undefined ? "SUCCESS" : "FAIL";
  const message = outcome.failure === undefined ? "" : maskSecrets(outcome.failure, run.secretValues);
  const points = run.secretValues.size === 0 ? outcome.metrics : outcome.metrics.map((p) => ({ ...p, key: maskSecrets(p.key, run.secretValues), value: maskDeep(p.value, run.secretValues) }));
  const metrics = collapseMetrics(points);
  const record = makeAttempt({ number, startedMicros: attempt.started, status, message, parameters: recordedParameters(ctx.scope) });
  if (status === "FAIL" && points.length > 0) record.user_defined_metrics = metrics;
  if (points.length > 0) record.metric_times_ms = metricTimes(points);
  log.attempts.push(record);
  log.status = status;
  await run.services.tracker.publish(log.internal_name, points);
  run.services.onEvent?.({ type: "attempt-end", internalName: log.internal_name, attempt: number, status, message, durationMs: (nowMicros() - attempt.started) / 1000 });
  if (status === "SUCCESS") {
    log.user_defined_metrics = metrics;
    assignParameters(ctx.scope, maskDeep(outcome.parameters, run.secretValues));
  }
  return status;
}

async function attemptTask(
  run: RunState,
  node: TaskNode,
  ctx: BranchContext,
  attempt: { number: number; output: OutputCollector; records: DataCatalog[]; internalName: string },
): Promise<TaskOutcome> {
  const { catalog } = run.services;
  try {
    for (const pattern of node.catalog?.get ?? []) attempt.records.push(...(await catalog.get(pattern, run.plan.runId)));
    const runner = run.services.taskRunner(node.task.command_type);
    if (!runner) return failed(`no task runner for command_type "${node.task.command_type}"`);
    const invocation = await invocationFor(run, node, ctx, attempt);
    const outcome = await runner.run(invocation);
    if (outcome.failure !== undefined) return outcome;
    for (const pattern of node.catalog?.put ?? []) attempt.records.push(...(await catalog.put(pattern, run.plan.runId)));
    return outcome;
  } catch (error) {
    if (!isRunnableError(error)) attempt.output.write("stderr", `${error instanceof Error ? error.stack : error}\n`);
    return failed(messageOf(error));
  }
}

const failed = (failure: string): TaskOutcome => ({ failure, parameters: {}, metrics: [] });

async function putExecutionLog(
  run: RunState,
  node: TaskNode,
  ctx: BranchContext,
  records: DataCatalog[],
  text: string,
): Promise<void> {
  const name = executionLogName(node.internalName, ctx.mapVariable);
  try {
    records.push(...(await run.services.catalog.putContent(name, text, run.plan.runId)));
  } catch (error) {
    run.services.warn(`could not store the execution log ${name}: ${messageOf(error)}`);
  }
}

/** Runs a stub step: catalog get/put only, always a successful attempt unless the catalog fails. */
export async function executeStub(run: RunState, node: StubNode, ctx: BranchContext): Promise<Status> {
  const step = await openStep(run, node, ctx);
  const started = nowMicros();
  let message = "";
  try {
    for (const p of node.catalog?.get ?? []) step.log.data_catalog.push(...(await run.services.catalog.get(p, run.plan.runId)));
    for (const p of node.catalog?.put ?? []) step.log.data_catalog.push(...(await run.services.catalog.put(p, run.plan.runId)));
  } catch (error) {
    message = messageOf(error);
  }
  const status: Status = message ? "FAIL" : "SUCCESS";
  step.log.attempts.push(makeAttempt({ number: 1, startedMicros: started, status, message, parameters: recordedParameters(ctx.scope) }));
  step.log.status = status;
  await closeStep(run, ctx, step);
  return status;
}
