import { RunnableError } from "../core/errors.js";
import type { TaskNode } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import { newStepLog, stepsAt, type Status, type StepLog } from "../core/run-log.js";
import { stopMessage } from "../core/stop.js";
import type { RemoteStepResult } from "../ports/executor.js";
import { makeAttempt } from "./attempt.js";
import { attemptSignal } from "./attempt-signal.js";
import { createLauncher } from "./process-launcher.js";
import { type BranchContext, type RunState, type StepPlace, stopReason } from "./run-state.js";
import { assignParameters, recordedParameters } from "./scope.js";
import { nextAttemptNumber } from "./step-log-writer.js";

/** True when the executor launches this task step in another process (a container, a cluster job). */
export function runsRemotely(run: RunState, node: TaskNode): boolean {
  const { executor } = run.services;
  return executor.capabilities.placement === "launched" && !(executor.runsHere?.(node) ?? false);
}

async function storedStep(run: RunState, ctx: BranchContext, name: string): Promise<StepLog | undefined> {
  const log = await run.services.runLogStore.get(run.plan.runId);
  const steps = stepsAt(log, ctx.location);
  return steps && Object.hasOwn(steps, name) ? steps[name] : undefined;
}

/**
 * Runs a task step through the executor in another process (`runnable execute-single-node` in a
 * container), which records the step in the shared store; the walk here then carries on from that
 * record (status, and the parameters it produced). A process that ends without recording the step
 * leaves a FAIL attempt saying why.
 */
export async function executeRemoteTask(run: RunState, node: TaskNode, ctx: BranchContext, place: StepPlace): Promise<Status> {
  const launch = run.services.executor.launchStep;
  if (!launch) throw new RunnableError("INTERNAL", `executor ${run.services.executor.type} launches its steps but has no launchStep`);
  const name = resolveName(node.internalName, ctx.mapVariable);
  const started = run.services.now();
  run.services.onEvent?.({ type: "step-start", internalName: name, kind: node.kind, depth: ctx.location.length });
  const stop = attemptSignal(run, undefined);
  const output = {
    write: (stream: "stdout" | "stderr", chunk: string | Uint8Array) =>
      run.services.onEvent?.({ type: "task-output", internalName: name, stream, text: chunk.toString().replace(/\n$/, "") }),
  };
  let result: RemoteStepResult;
  try {
    const config = run.plan.runConfig;
    result = await launch.call(run.services.executor, {
      runId: run.plan.runId,
      node,
      mapVariable: ctx.mapVariable,
      pipelineFile: config.pipeline_file || null,
      configFile: config.configuration_file || null,
      parametersFile: config.parameters_file || null,
      tag: run.plan.tag,
      cwd: run.plan.cwd,
      output,
      signal: stop.signal,
      // The executor stops the step itself (a container is stopped through its runtime, not by killing
      // the client), so the launcher only kills on a forced stop.
      spawn: createLauncher({
        output,
        signal: new AbortController().signal,
        force: run.plan.stop.force,
        graceMs: run.services.stopGraceMs,
        registry: run.services.processes,
      }),
      graceMs: run.services.stopGraceMs,
    });
  } finally {
    stop.dispose();
  }
  const recorded = await storedStep(run, ctx, name);
  if (recorded?.status === "SUCCESS" && result.exitCode === 0) {
    assignParameters(ctx.scope, recorded.output_parameters ?? {}, recorded.output_parameter_kinds);
    run.services.onEvent?.({
      type: "step-end",
      internalName: name,
      kind: node.kind,
      status: "SUCCESS",
      durationMs: (run.services.now() - started) / 1000,
      depth: ctx.location.length,
      message: "",
    });
    return "SUCCESS";
  }
  return recordLostStep(run, node, ctx, place, recorded, result, started);
}

/**
 * The step's process failed. Its own FAIL record stands as written; a missing, unfinished or SUCCESS
 * record (the container exited non-zero anyway) gets a FAIL attempt saying why.
 */
async function recordLostStep(
  run: RunState,
  node: TaskNode,
  ctx: BranchContext,
  place: StepPlace,
  recorded: StepLog | undefined,
  result: { exitCode: number; problem?: string },
  started: number,
): Promise<Status> {
  const reason = stopReason(run);
  const why = reason ? stopMessage(reason) : (result.problem ?? `the step's container exited with code ${result.exitCode}`);
  const name = resolveName(node.internalName, ctx.mapVariable);
  const event = (message: string) =>
    run.services.onEvent?.({
      type: "step-end",
      internalName: name,
      kind: node.kind,
      status: "FAIL",
      durationMs: (run.services.now() - started) / 1000,
      depth: ctx.location.length,
      message,
    });
  if (recorded?.status === "FAIL" && recorded.attempts.length > 0) {
    event(recorded.message || (recorded.attempts.at(-1)?.message ?? ""));
    return "FAIL";
  }
  if (recorded?.status === "SUCCESS") run.services.warn(`step ${name} recorded SUCCESS but its container exited with code ${result.exitCode}: marked FAIL`);
  const log: StepLog = recorded ? { ...structuredClone(recorded), branches: {} } : newStepLog(node.name, name, node.kind);
  if (!recorded) log.code_identities.push(...structuredClone(run.identities));
  log.attempts.push(
    makeAttempt({
      number: nextAttemptNumber(log),
      startedMicros: started,
      endedMicros: run.services.now(),
      status: "FAIL",
      message: why,
      parameters: recordedParameters(ctx.scope),
    }),
  );
  log.status = "FAIL";
  log.message = why;
  await run.services.runLogStore.putStep(run.plan.runId, ctx.location, log, place.seq);
  event(why);
  return "FAIL";
}
