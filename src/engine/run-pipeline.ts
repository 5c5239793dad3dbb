import { setMaxListeners } from "node:events";
import { messageOf } from "../core/errors.js";
import { cloneJson } from "../core/parameters.js";
import { kindsFor, type ParameterKinds } from "../core/returns.js";
import type { CodeIdentity, Status } from "../core/run-log.js";
import type { StopReason } from "../core/stop.js";
import type { RunLease } from "../ports/run-log-store.js";
import { executeGraph } from "./execute-graph.js";
import { maskDeep } from "./masking.js";
import { maskingRunLogStore } from "./masking-store.js";
import { createLimiter } from "../core/map-limit.js";
import { type BranchContext, type RunState, stopReason } from "./run-state.js";
import type { RunPlan, RunResult, Services } from "./services.js";
import { finishAfterFault, unrecordedEnd } from "./store-fault.js";
import { createMemoryObjects } from "./objects.js";
import { createStoredReads } from "./stored-reads.js";
import { baseEnvironment } from "./task-env.js";

/** How often a running run renews its lease (it goes stale after 30 s without). */
const HEARTBEAT_MS = 5_000;

/**
 * Runs a pipeline: takes the run's lease (a live run is never run twice), creates the run log — or,
 * for a retry, continues the stored one —, walks the graph, records the final parameters and status,
 * flushes the store, closes the tracker run and gives the lease back. A stopped run ends FAIL.
 */
export async function runPipeline(plan: RunPlan, given: Services): Promise<RunResult> {
  const lease = await given.runLogStore.acquireLease(plan.runId);
  const heartbeat = startHeartbeat(lease, given, plan);
  let status: Status = "FAIL";
  try {
    const run = createRunState(plan, given, await given.codeIdentity());
    // Everything below writes through the run's services: its records have its secrets masked.
    const { services } = run;
    const { tracker } = services;
    const parameters = cloneJson(plan.initialParameters);
    await startRecord(plan, services, parameters);
    services.onEvent?.({ type: "run-start", runId: plan.runId, resumed: plan.mode.kind === "retry" });
    await guarded(services, "start the experiment tracker run", () =>
      tracker.startRun({
        runId: plan.runId,
        tag: plan.tag,
        pipelineName: plan.pipelineName,
        gitCommit: run.identities[0]?.code_identifier ?? "",
        parameters: maskDeep(parameters, new Set(plan.secretValues)),
      }),
    );
    const stopping = (): void => services.onEvent?.({ type: "run-stopping", runId: plan.runId, reason: plan.stop.signal.reason as StopReason });
    plan.stop.signal.addEventListener("abort", stopping, { once: true });
    const initialKinds = kindsFor(plan.initialKinds, Object.keys(parameters));
    const top: BranchContext = { location: [], mapVariable: [], scope: { parameters, ...(Object.keys(initialKinds).length > 0 && { kinds: initialKinds }) } };
    if (plan.mode.kind !== "new") top.prior = { mode: plan.mode.kind, steps: (plan.mode.kind === "retry" ? plan.mode.stored : plan.mode.original).steps };
    let fault: { error: unknown } | undefined;
    try {
      status = await executeGraph(run, plan.graph, top);
    } catch (error) {
      fault = { error };
      throw error;
    } finally {
      plan.stop.signal.removeEventListener("abort", stopping);
      const stopped = plan.stop.signal.aborted ? stopReason(run) : undefined;
      if (stopped) status = "FAIL";
      // After a fault the fault is what gets reported; the run is recorded FAIL once the store answers.
      const final = { parameters, kinds: finalKinds(plan, top.scope.kinds) };
      if (fault) await finishAfterFault(() => finishRecord(plan, services, final, "FAIL"), services.warn, plan.runId);
      else await finishRecord(plan, services, final, status);
      services.onEvent?.({ type: "run-end", runId: plan.runId, status, ...(stopped ? { stopped } : {}) });
    }
  } finally {
    clearInterval(heartbeat);
    await lease.release().catch((error: unknown) => given.warn(`could not release the lease of run ${plan.runId}: ${messageOf(error)}`));
  }
  const stopped = plan.stop.signal.aborted ? (plan.stop.signal.reason as StopReason) : undefined;
  return { runId: plan.runId, status, ...(stopped ? { stopped } : {}) };
}

/** What every step of a run shares, for walking it here or running one of its steps (a pod). */
export function createRunState(plan: RunPlan, services: Services, identity: CodeIdentity): RunState {
  // Every task of the run listens to its stop signals (attempts without a time limit use them as they
  // are): many listeners at once are expected, not a leak (no MaxListenersExceededWarning).
  setMaxListeners(0, plan.stop.signal, plan.stop.force);
  const identities = [identity, ...(services.imageIdentity ? [services.imageIdentity] : [])];
  const secretValues = new Set(plan.secretValues);
  return {
    plan,
    // The run writes its records through a store that masks its secrets, those learnt later included.
    services: { ...services, runLogStore: maskingRunLogStore(services.runLogStore, secretValues) },
    identities,
    baseEnv: baseEnvironment(plan.env),
    secretValues,
    taskSlots: createLimiter(services.executor.maxParallel),
    storedReads: createStoredReads(),
    ...(services.executor.capabilities.objectsInMemory && { memoryObjects: createMemoryObjects() }),
  };
}

/**
 * Records a run that another process will walk (`--detach`: a batch job that starts later) as
 * TRIGGERED: a new run's log is created with its config and initial parameters, nothing run yet; a
 * stored run (a detached retry) is marked TRIGGERED again. The walker's `retry` takes it from there.
 */
export async function recordTriggeredRun(plan: RunPlan, services: Services): Promise<void> {
  const { runLogStore } = services;
  if (plan.mode.kind === "retry") {
    await runLogStore.setStatus(plan.runId, "TRIGGERED");
    return;
  }
  const parameters = cloneJson(plan.initialParameters);
  await runLogStore.create({
    run_id: plan.runId,
    dag_hash: plan.runConfig.dag_hash,
    use_cached: false,
    tag: plan.tag,
    original_run_id: "",
    status: "TRIGGERED",
    parameters,
    run_config: plan.runConfig,
    initial_parameters: cloneJson(parameters),
  });
  await runLogStore.flush(plan.runId);
}

/** Creates the run log (a new run or a re-run), or marks a retried one PROCESSING again. */
async function startRecord(plan: RunPlan, services: Services, parameters: Record<string, unknown>): Promise<void> {
  const { runLogStore } = services;
  if (plan.mode.kind === "retry") {
    await runLogStore.setRunConfig(plan.runId, plan.runConfig);
    await runLogStore.setStatus(plan.runId, "PROCESSING");
    return;
  }
  const original = plan.mode.kind === "cached" ? plan.mode.original.run_id : "";
  await runLogStore.create({
    run_id: plan.runId,
    dag_hash: plan.runConfig.dag_hash,
    use_cached: plan.mode.kind === "cached",
    tag: plan.tag,
    original_run_id: original,
    status: "PROCESSING",
    parameters,
    run_config: plan.runConfig,
    initial_parameters: cloneJson(parameters),
  });
  // A re-run starts from the original's files (runnable's sync_between_runs).
  if (original) await services.catalog.syncBetweenRuns(original, plan.runId);
}

/**
 * The kinds to record with the final parameters: none for a run whose parameters are all JSON (one
 * write less), else the scope's (also when empty, to clear what a retried run had recorded).
 */
function finalKinds(plan: RunPlan, kinds: ParameterKinds | undefined): ParameterKinds | undefined {
  const had = plan.mode.kind === "retry" && plan.mode.stored.parameter_kinds !== undefined;
  return (kinds && Object.keys(kinds).length > 0) || had ? kindsFor(kinds) : undefined;
}

/**
 * Records the run's end. What is reported then agrees with the run log: a final status that could not
 * be written is a fault saying so; once it is written, a failure to tidy up (a full disk refusing the
 * compacted snapshot) is only a warning, since the run log reads with that status.
 */
async function finishRecord(
  plan: RunPlan,
  services: Services,
  final: { parameters: Record<string, unknown>; kinds: ParameterKinds | undefined },
  status: Status,
): Promise<void> {
  const { runLogStore, tracker } = services;
  try {
    await runLogStore.setParameters(plan.runId, final.parameters, final.kinds);
    await runLogStore.setStatus(plan.runId, status);
  } catch (error) {
    throw unrecordedEnd(error, plan.runId, status);
  }
  try {
    await runLogStore.flush(plan.runId);
  } catch (error) {
    const stored = await runLogStore.get(plan.runId).then(
      (log) => log.status,
      () => undefined,
    );
    if (stored !== status) throw unrecordedEnd(error, plan.runId, status);
    services.warn(`run ${plan.runId} is recorded ${status}, but its store could not finish tidying its records (it reads as recorded): ${messageOf(error)}`);
  }
  await guarded(services, "end the experiment tracker run", () => tracker.endRun(status));
}

/**
 * Renews the lease while the run goes. The timer also keeps the process alive while a run waits on
 * something that holds no handle of its own (an in-process task awaiting its abort signal).
 */
function startHeartbeat(lease: RunLease, services: Services, plan: RunPlan): NodeJS.Timeout {
  return setInterval(() => {
    lease.renew().catch((error: unknown) => {
      services.warn(`lost the lease of run ${plan.runId}: ${messageOf(error)}`);
    });
  }, HEARTBEAT_MS);
}

async function guarded(services: Services, what: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    services.warn(`could not ${what}: ${messageOf(error)}`);
  }
}
