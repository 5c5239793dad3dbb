import { messageOf } from "../core/errors.js";
import { cloneJson } from "../core/parameters.js";
import type { Status } from "../core/run-log.js";
import { executeGraph } from "./execute-graph.js";
import { createLimiter } from "./map-limit.js";
import type { RunState } from "./run-state.js";
import type { RunPlan, RunResult, Services } from "./services.js";
import { baseEnvironment } from "./task-env.js";

/**
 * Runs a pipeline: creates the run log (PROCESSING, initial parameters, run_config), walks the graph,
 * records the final parameters and status, flushes the store and closes the tracker run.
 */
export async function runPipeline(plan: RunPlan, services: Services): Promise<RunResult> {
  const { runLogStore, tracker } = services;
  const identity = await services.codeIdentity();
  const parameters = cloneJson(plan.initialParameters);
  await runLogStore.create({
    run_id: plan.runId,
    dag_hash: plan.runConfig.dag_hash,
    use_cached: false,
    tag: plan.tag,
    original_run_id: "",
    status: "PROCESSING",
    parameters,
    run_config: plan.runConfig,
  });
  services.onEvent?.({ type: "run-start", runId: plan.runId });
  await guarded(services, "start the experiment tracker run", () =>
    tracker.startRun({ runId: plan.runId, tag: plan.tag, pipelineName: plan.pipelineName, gitCommit: identity.code_identifier }),
  );
  const run: RunState = {
    plan,
    services,
    identity,
    baseEnv: baseEnvironment(plan.env),
    secretValues: new Set(),
    taskSlots: createLimiter(services.executor.maxParallel),
  };
  let status: Status = "FAIL";
  try {
    status = await executeGraph(run, plan.graph, { location: [], mapVariable: [], scope: { parameters } });
  } finally {
    await runLogStore.setParameters(plan.runId, parameters);
    await runLogStore.setStatus(plan.runId, status);
    await runLogStore.flush(plan.runId);
    await guarded(services, "end the experiment tracker run", () => tracker.endRun(status));
    services.onEvent?.({ type: "run-end", runId: plan.runId, status });
  }
  return { runId: plan.runId, status };
}

async function guarded(services: Services, what: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    services.warn(`could not ${what}: ${messageOf(error)}`);
  }
}
