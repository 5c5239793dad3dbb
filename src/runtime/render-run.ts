import { RunnableError } from "../core/errors.js";
import type { ServiceRecord } from "../core/run-log.js";
import type { RunPlan, Services } from "../engine/services.js";
import type { RenderOutcome } from "../ports/executor.js";
import { integrationFindings, type ConfiguredService } from "./integrations.js";

function configured(record: ServiceRecord): ConfiguredService {
  const { service_name, service_type: _type, ...config } = record;
  return { type: service_name, config };
}

/**
 * Compiles a run with a rendering executor (e.g. argo) instead of running it: checks the executor ×
 * service rules (errors refuse, warnings are shown), then lets the executor write its output.
 */
export async function renderRun(plan: RunPlan, services: Services): Promise<RenderOutcome> {
  const render = services.executor.render;
  if (!render) throw new RunnableError("INTERNAL", `executor ${services.executor.type} does not render`);
  const run = plan.runConfig;
  const findings = integrationFindings({
    executor: configured(run.executor),
    run_log_store: configured(run.run_log_store),
    catalog: configured(run.catalog_handler),
    secrets: configured(run.secrets_handler),
    experiment_tracker: configured(run.experiment_tracker),
  });
  const errors = findings.filter((f) => f.level === "error");
  if (errors.length > 0) {
    throw new RunnableError("CONFIG_INVALID", `the services configuration cannot be used with executor ${services.executor.type}:\n${errors.map((f) => f.message).join("\n")}`);
  }
  for (const finding of findings) if (finding.level === "warning") services.warn(finding.message);
  return render.call(services.executor, {
    graph: plan.graph,
    pipelineFile: run.pipeline_file || null,
    configFile: run.configuration_file || null,
    parametersFile: run.parameters_file || null,
    tag: plan.tag,
    parameters: plan.initialParameters,
    variables: run.variables,
    cwd: plan.cwd,
  });
}
