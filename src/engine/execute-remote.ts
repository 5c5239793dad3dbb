import { RunnableError } from "../core/errors.js";
import type { TaskNode } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import { newStepLog, stepsAt, type Status, type StepLog } from "../core/run-log.js";
import { stopMessage } from "../core/stop.js";
import type { RemoteStepResult } from "../ports/executor.js";
import { makeAttempt } from "./attempt.js";
import { attemptSignal } from "./attempt-signal.js";
import { maskSecrets } from "./masking.js";
import { createLauncher } from "./process-launcher.js";
import { type BranchContext, type RunState, type StepPlace, stopReason } from "./run-state.js";
import { assignParameters, recordedParameters } from "./scope.js";
import { nextAttemptNumber } from "./step-log-writer.js";
import { readStoredRun } from "./stored-reads.js";

/** True when the executor launches this task step in another process (a container, a cluster job). */
export function runsRemotely(run: RunState, node: TaskNode): boolean {
  const { executor } = run.services;
  return executor.capabilities.placement === "launched" && !(executor.runsHere?.(node) ?? false);
}

async function storedStep(run: RunState, ctx: BranchContext, name: string): Promise<StepLog | undefined> {
  const log = await readStoredRun(run.storedReads, () => run.services.runLogStore.get(run.plan.runId));
  const steps = stepsAt(log, ctx.location);
  return steps && Object.hasOwn(steps, name) ? steps[name] : undefined;
}

/**
 * Runs a task step through the executor in another process (`runnable execute-single-node` in a
 * container or a cluster job), which records the step in the shared store; the walk here then carries
 * on from that record (status, and the parameters it produced). A process that ends without recording
 * the step leaves a FAIL attempt saying why. An executor that retries by relaunch gets the step launched
 * again, one attempt per process, up to its `max_attempts`.
 */
export async function executeRemoteTask(run: RunState, node: TaskNode, ctx: BranchContext, place: StepPlace): Promise<Status> {
  const name = resolveName(node.internalName, ctx.mapVariable, ctx.loops);
  const started = run.services.now();
  run.services.onEvent?.({ type: "step-start", internalName: name, kind: node.kind, depth: ctx.location.length });
  const launches = run.services.executor.capabilities.retryByRelaunch ? node.maxAttempts : 1;
  let message = "";
  // Attempts recorded before a launch: a record with no more of them is not the launched process's.
  let before = place.prior?.attempts.length ?? 0;
  for (let launch = 1; ; launch++) {
    const launched = run.services.now();
    const result = await launchOnce(run, node, ctx, name);
    const stored = await storedStep(run, ctx, name);
    const fresh = stored && stored.attempts.length > before ? stored : undefined;
    if (fresh?.status === "SUCCESS" && result.exitCode === 0) {
      assignParameters(ctx.scope, fresh.output_parameters ?? {}, fresh.output_parameter_kinds);
      stepEnd(run, node, ctx, { name, started, status: "SUCCESS", message: "" });
      return "SUCCESS";
    }
    const lost = await recordLostStep(run, node, ctx, { place, fresh, stored, launched }, result);
    message = lost.message;
    before = lost.attempts;
    if (launch >= launches || stopReason(run)) break;
  }
  stepEnd(run, node, ctx, { name, started, status: "FAIL", message });
  return "FAIL";
}

/** One launch of the step's process through the executor; resolves when that process ended. */
async function launchOnce(run: RunState, node: TaskNode, ctx: BranchContext, name: string): Promise<RemoteStepResult> {
  const launch = run.services.executor.launchStep;
  if (!launch) throw new RunnableError("INTERNAL", `executor ${run.services.executor.type} launches its steps but has no launchStep`);
  const stop = attemptSignal(run, undefined);
  // What the step's process prints outside its task (a job's or container's own output) is masked here too.
  const output = {
    write: (stream: "stdout" | "stderr", chunk: string | Uint8Array) =>
      run.services.onEvent?.({
        type: "task-output",
        internalName: name,
        stream,
        text: maskSecrets(chunk.toString().replace(/\n$/, ""), run.secretValues),
      }),
  };
  try {
    const config = run.plan.runConfig;
    return await launch.call(run.services.executor, {
      runId: run.plan.runId,
      // Loop iterations are named by index in the command (map items travel as --map-variable).
      node: ctx.loops?.length ? { ...node, internalName: resolveName(node.internalName, [], ctx.loops) } : node,
      mapVariable: ctx.mapVariable,
      pipelineFile: config.pipeline_file || null,
      ...(run.plan.recordsGraph ? { recordsGraph: true } : {}),
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
      spawnStopped: createLauncher({
        output,
        signal: stop.signal,
        force: run.plan.stop.force,
        graceMs: run.services.stopGraceMs,
        registry: run.services.processes,
      }),
      graceMs: run.services.stopGraceMs,
    });
  } finally {
    stop.dispose();
  }
}

function stepEnd(run: RunState, node: TaskNode, ctx: BranchContext, end: { name: string; started: number; status: Status; message: string }): void {
  run.services.onEvent?.({
    type: "step-end",
    internalName: end.name,
    kind: node.kind,
    status: end.status,
    durationMs: (run.services.now() - end.started) / 1000,
    depth: ctx.location.length,
    message: end.message,
  });
}

/**
 * The step's process failed; returns the step's message and how many attempts it has now. This
 * launch's own FAIL record stands as written — with its last attempt's message replaced by how the
 * launching system ended it, when it did (`ending`: a time limit, preemption) —; a missing, unfinished
 * or SUCCESS record (the process exited non-zero anyway) gets a FAIL attempt saying why.
 */
async function recordLostStep(
  run: RunState,
  node: TaskNode,
  ctx: BranchContext,
  found: { place: StepPlace; fresh: StepLog | undefined; stored: StepLog | undefined; launched: number },
  result: RemoteStepResult,
): Promise<{ message: string; attempts: number }> {
  const { place, fresh, stored } = found;
  const reason = stopReason(run);
  const ending = result.ending && !reason ? maskSecrets(result.ending, run.secretValues) : undefined;
  const name = resolveName(node.internalName, ctx.mapVariable, ctx.loops);
  if (fresh?.status === "FAIL") {
    const attempts = fresh.attempts.length;
    if (!ending) return { message: fresh.message || (fresh.attempts.at(-1)?.message ?? ""), attempts };
    const log = { ...structuredClone(fresh), branches: {} };
    log.attempts.at(-1)!.message = ending;
    await run.services.runLogStore.putStep(run.plan.runId, ctx.location, log, place.seq);
    return { message: ending, attempts };
  }
  const problem = result.problem ? maskSecrets(result.problem, run.secretValues) : `the step's process exited with code ${result.exitCode}`;
  const why = reason ? stopMessage(reason) : (ending ?? problem);
  if (fresh?.status === "SUCCESS") run.services.warn(`step ${name} recorded SUCCESS but its process exited with code ${result.exitCode}: marked FAIL`);
  const base = fresh ?? stored;
  const log: StepLog = base ? { ...structuredClone(base), branches: {} } : newStepLog(node.name, name, node.kind);
  if (!base) log.code_identities.push(...structuredClone(run.identities));
  log.attempts.push(
    makeAttempt({
      number: nextAttemptNumber(log),
      startedMicros: found.launched,
      endedMicros: run.services.now(),
      status: "FAIL",
      message: why,
      parameters: recordedParameters(ctx.scope),
    }),
  );
  log.status = "FAIL";
  log.message = why;
  await run.services.runLogStore.putStep(run.plan.runId, ctx.location, log, place.seq);
  return { message: why, attempts: log.attempts.length };
}
