import { RunnableError } from "../core/errors.js";
import type { RunPlan, Services } from "../engine/services.js";
import type { RenderOutcome } from "../ports/executor.js";

/**
 * Compiles a run with a rendering executor (e.g. argo) instead of running it: the executor writes its
 * output (the executor × service rules were checked when the run was prepared).
 */
export async function renderRun(plan: RunPlan, services: Services): Promise<RenderOutcome> {
  const render = services.executor.render;
  if (!render) throw new RunnableError("INTERNAL", `executor ${services.executor.type} does not render`);
  const run = plan.runConfig;
  return render.call(services.executor, {
    graph: plan.graph,
    runId: plan.runId,
    ...(typeof run["job_definition_file"] === "string" && run["job_definition_file"] ? { jobDefinition: run["job_definition_file"] } : {}),
    pipelineFile: run.pipeline_file || null,
    configFile: run.configuration_file || null,
    parametersFile: run.parameters_file || null,
    tag: plan.tag,
    parameters: plan.initialParameters,
    variables: run.variables,
    cwd: plan.cwd,
  });
}
