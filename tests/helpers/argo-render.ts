import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { loadServicesConfig } from "../../src/config/load-config.js";
import type { Graph } from "../../src/core/graph.js";
import { loadPipelineFile } from "../../src/definition/load-pipeline.js";
import { renderWorkflow, type ArgoRenderInputs, type ArgoRenderResult } from "../../src/plugins/executor/argo/render.js";
import { buildArgoConfigSchema, type ArgoConfig } from "../../src/plugins/executor/argo/schema.js";
import type { ArgoContainerTemplate, ArgoDagTemplate, ArgoWorkflow } from "../../src/plugins/executor/argo/workflow-types.js";
import { builtinRegistry } from "../../src/runtime/builtins.js";
import { knownServiceSchemas } from "../../src/runtime/compose-services.js";
import { REPO } from "./cli.js";

/** Variables runnable's example configs use for their images. */
export const EXAMPLE_VARIABLES = {
  argo_docker_image: "registry.example.com/project:1.0",
  default_docker_image: "runnable:demo",
  custom_docker_image: "runnable:other",
};

/** The argo configs shipped in examples/configs/. */
export const ARGO_CONFIGS = ["argo-config.yaml", "argo-config-catalog.yaml", "argo-config-sequential.yaml", "argo-config-full.yaml"].map(
  (f) => `examples/configs/${f}`,
);

/** Loads a services config file through the real loader; returns the executor's parsed config. */
export async function executorConfigOf(file: string, cwd = REPO): Promise<{ type: string; config: unknown }> {
  const env = Object.fromEntries(Object.entries(EXAMPLE_VARIABLES).map(([k, v]) => [`RUNNABLE_VAR_${k}`, v]));
  const loaded = await loadServicesConfig({ file, env, cwd, known: knownServiceSchemas(builtinRegistry()) });
  return loaded.services.executor;
}

/** Parses an inline argo config (schema defaults applied). */
export const argoConfig = (config: Record<string, unknown>): ArgoConfig => buildArgoConfigSchema().parse({ image: "runnable:demo", ...config });

/** Loads a pipeline file (relative to the repository, or absolute). */
export async function graphOf(file: string): Promise<Graph> {
  return (await loadPipelineFile(resolve(REPO, file), { cwd: REPO })).graph;
}

/** Writes a pipeline YAML into `dir` and loads it. */
export async function graphFromYaml(dir: string, name: string, yaml: string): Promise<Graph> {
  const file = join(dir, name);
  await writeFile(file, yaml);
  return (await loadPipelineFile(file, { cwd: dir })).graph;
}

/** Renders with default run inputs (overridable). */
export function render(graph: Graph, config: ArgoConfig, inputs: Partial<ArgoRenderInputs> = {}): ArgoRenderResult {
  return renderWorkflow(graph, config, {
    pipelineFile: "pipeline.yaml",
    configFile: "argo.yaml",
    parametersFile: null,
    tag: "",
    parameters: {},
    variables: {},
    ...inputs,
  });
}

/** The template with this name. */
export function templateNamed(workflow: ArgoWorkflow, name: string): ArgoDagTemplate | ArgoContainerTemplate {
  const found = workflow.spec.templates.find((t) => t.name === name);
  if (!found) throw new Error(`no template ${name}; have ${workflow.spec.templates.map((t) => t.name).join(", ")}`);
  return found;
}

/** The container template whose command runs the step with this internal name (and fan mode). */
export function podFor(workflow: ArgoWorkflow, internalName: string, mode?: "in" | "out"): ArgoContainerTemplate {
  const name = internalName.replace(/ /g, "%");
  const found = workflow.spec.templates.find((t): t is ArgoContainerTemplate => {
    if (!("container" in t)) return false;
    const command = t.container.command;
    return command[3] === name && (mode ? command[1] === "fan" && command[5] === mode : command[1] === "execute-single-node");
  });
  if (!found) throw new Error(`no pod for ${internalName}${mode ? ` (fan ${mode})` : ""}`);
  return found;
}

/** The DAG template with this name. */
export function dagNamed(workflow: ArgoWorkflow, name: string): ArgoDagTemplate {
  const found = templateNamed(workflow, name);
  if (!("dag" in found)) throw new Error(`${name} is not a DAG template`);
  return found;
}
