import { mkdir } from "node:fs/promises";
import path from "node:path";
import { RunnableError, type Problem } from "../../../core/errors.js";
import { writeAtomic } from "../../../io/atomic-file.js";
import { allNodes, type Graph } from "../../../core/graph.js";
import type { Executor, RenderOutcome, RenderRequest } from "../../../ports/executor.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { encodeMapItems } from "./containers.js";
import { manifestOf } from "./cron-workflow.js";
import { manifestYaml } from "../shared/manifest-yaml.js";
import { renderWorkflow } from "./render.js";
import type { ArgoConfig } from "./schema.js";
import type { ArgoWorkflow } from "./workflow-types.js";
import { settingsFor } from "./settings.js";

/** The manifest as YAML (block style; long commands stay one list item per argument). */
export function workflowYaml(workflow: ArgoWorkflow): string {
  return manifestYaml(workflow as unknown as Record<string, unknown>);
}

async function writeManifest(file: string, text: string): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeAtomic(file, text);
  } catch (error) {
    throw new RunnableError("CONFIG_INVALID", `could not write the Argo workflow to ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: "choose an output_file in a folder you can write (executor.config.output_file)",
    });
  }
}

function nextSteps(file: string, config: ArgoConfig, request: RenderRequest): string {
  const claims = config.persistent_volumes.map((v) => v.name);
  return [
    `Wrote the Argo ${config.cron_schedule ? "CronWorkflow" : "workflow"} for ${request.pipelineFile} to ${file}; nothing ran.`,
    "Next:",
    `  argo lint ${file}`,
    config.cron_schedule
      ? `  argo cron create ${file}        # fires on ${config.cron_schedule.schedules.join(", ")}${config.cron_schedule.timezone ? ` (${config.cron_schedule.timezone})` : ""}`
      : `  argo submit ${file} --watch        # -n NAMESPACE, -p name=value to change exposed parameters`,
    `Every pod runs \`runnable\` from the image ${config.image}, in its working directory, so the image must hold the project`,
    `(${[request.pipelineFile, request.configFile, request.parametersFile].filter(Boolean).join(", ")}) at the same relative paths.`,
    ...(claims.length > 0 ? [`The persistent volume claims ${claims.join(", ")} must exist in the namespace.`] : []),
  ].join("\n");
}

/** Steps selecting an override bundle the config does not have, located in the pipeline file. */
function overrideProblems(graph: Graph, config: ArgoConfig): Problem[] {
  const problems: Problem[] = [];
  for (const node of allNodes(graph)) {
    try {
      settingsFor(node, config);
    } catch (error) {
      problems.push({ message: `step "${node.internalName}": ${(error as Error).message}`, ...node.source });
    }
  }
  return problems;
}

/** Creates the `argo` executor: `render` writes the manifest to `output_file`; nothing is ever run here. */
export function createArgoExecutor(config: ArgoConfig, context: PluginContext): Executor {
  return {
    type: "argo",
    // Argo walks the graph and retries a step by starting a new pod; map items reach its withParam as JSON texts.
    capabilities: { placement: "rendered", retryByRelaunch: true, memoryStore: false, encodeMapItems },
    recordedConfig: { ...config },
    maxParallel: 1,
    // Inside a pod the step's own limit applies too, so a too-long attempt is recorded before Argo's
    // activeDeadlineSeconds ends the pod.
    stepTimeLimitMs: (node) => settingsFor(node, config).maxStepDurationSeconds * 1000,
    check: (graph) => overrideProblems(graph, config),
    async render(request: RenderRequest): Promise<RenderOutcome> {
      if (request.pipelineFile === null) {
        throw new RunnableError("UNSUPPORTED", "the argo executor needs a pipeline file: its pods load the pipeline again", {
          hint: "run `runnable execute -f <pipeline file> -c <argo config>`",
        });
      }
      const { workflow, warnings } = renderWorkflow(request.graph, config, { ...request, pipelineFile: request.pipelineFile });
      for (const warning of warnings) context.warn(warning);
      const file = path.resolve(request.cwd, config.output_file);
      await writeManifest(file, manifestYaml(manifestOf(workflow, config) as unknown as Record<string, unknown>));
      return { file, message: nextSteps(config.output_file, config, request) };
    },
  };
}
