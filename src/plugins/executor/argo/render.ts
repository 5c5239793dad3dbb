import { RunnableError } from "../../../core/errors.js";
import type { Graph } from "../../../core/graph.js";
import { commonEnv, type CommandInputs } from "./containers.js";
import { renderGraph, type RenderState } from "./dags.js";
import { createNamer, isParameterName } from "./names.js";
import { argoConfigWarnings, type ArgoConfig } from "./schema.js";
import { globalSettings } from "./settings.js";
import type { ArgoEnvVar, ArgoParameter, ArgoWorkflow } from "./workflow-types.js";

/** Name of the top-level DAG template (the workflow's entrypoint). */
export const ENTRYPOINT = "runnable-dag";

/** What a render needs besides the graph and the config: the run's files, tag, parameters and variables. */
export interface ArgoRenderInputs extends CommandInputs {
  /** Initial parameters (parameters file + `RUNNABLE_PRM_*` of the rendering environment). */
  parameters: Readonly<Record<string, unknown>>;
  /** Config variables (`RUNNABLE_VAR_*`) the config was substituted with; pods get the same. */
  variables: Readonly<Record<string, string>>;
}

/** A rendered workflow and what the user should know about it. */
export interface ArgoRenderResult {
  workflow: ArgoWorkflow;
  warnings: string[];
}

/**
 * A parameter as a workflow argument, readable back from `RUNNABLE_PRM_<key>` with the same type:
 * numbers and booleans as their text, strings raw unless their text would decode as JSON (then
 * JSON-quoted, fixing runnable's `"1"` turning into 1).
 */
export function argumentValue(value: string | number | boolean): string {
  if (typeof value !== "string") return JSON.stringify(value);
  try {
    JSON.parse(value);
    return JSON.stringify(value);
  } catch {
    return value;
  }
}

function exposedParameters(
  config: ArgoConfig,
  parameters: Readonly<Record<string, unknown>>,
  warnings: string[],
): { args: ArgoParameter[]; env: ArgoEnvVar[] } {
  const args: ArgoParameter[] = [];
  const env: ArgoEnvVar[] = [];
  if (!config.expose_parameters_as_inputs) return { args, env };
  for (const [key, value] of Object.entries(parameters)) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") continue;
    if (!isParameterName(key) || key === "run_id") {
      warnings.push(
        `executor argo: parameter "${key}" is not exposed as a workflow argument (Argo names are letters, digits, '-' and '_'; run_id is reserved)`,
      );
      continue;
    }
    args.push({ name: key, value: argumentValue(value) });
    env.push({ name: `RUNNABLE_PRM_${key}`, value: `{{workflow.parameters.${key}}}` });
  }
  return { args, env };
}

function assertUniqueNames(workflow: ArgoWorkflow): void {
  const seen = new Set<string>();
  for (const template of workflow.spec.templates) {
    if (seen.has(template.name)) throw new RunnableError("INTERNAL", `two Argo templates are named ${template.name}`);
    seen.add(template.name);
  }
}

/** The workflow around the rendered templates: metadata and the spec's fixed and config-driven fields. */
function workflowOf(config: ArgoConfig, state: RenderState, args: ArgoParameter[]): ArgoWorkflow {
  const nonEmpty = (key: "annotations" | "labels") => (Object.keys(config[key]).length > 0 ? { [key]: config[key] } : {});
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { generateName: config.name, ...nonEmpty("annotations"), ...nonEmpty("labels") },
    spec: {
      activeDeadlineSeconds: config.max_workflow_duration_in_seconds,
      entrypoint: ENTRYPOINT,
      ...(config.node_selector ? { nodeSelector: config.node_selector } : {}),
      ...(config.tolerations ? { tolerations: config.tolerations } : {}),
      ...(config.parallelism ? { parallelism: config.parallelism } : {}),
      podGC: { strategy: "OnPodCompletion" },
      ...(config.service_account_name ? { serviceAccountName: config.service_account_name } : {}),
      templates: [...state.dagTemplates, ...state.containerTemplates],
      templateDefaults: {
        activeDeadlineSeconds: String(config.max_step_duration_in_seconds),
        timeout: `${config.max_step_duration_in_seconds + 3600}s`,
      },
      arguments: { parameters: [...args, { name: "run_id", value: "{{workflow.uid}}" }] },
      ...(config.persistent_volumes.length > 0
        ? { volumes: config.persistent_volumes.map((v, i) => ({ name: `executor-${i}`, persistentVolumeClaim: { claimName: v.name } })) }
        : {}),
    },
  };
}

/** Renders a pipeline graph as an Argo `Workflow` (§11.5.2, with runnable's defects fixed). Pure: writes nothing. */
export function renderWorkflow(graph: Graph, config: ArgoConfig, inputs: ArgoRenderInputs): ArgoRenderResult {
  const warnings = argoConfigWarnings(config);
  const exposed = exposedParameters(config, inputs.parameters, warnings);
  const state: RenderState = {
    config,
    global: globalSettings(config),
    inputs,
    name: createNamer().name,
    dagTemplates: [],
    containerTemplates: [],
    env: commonEnv(config, inputs.variables),
    startEnv: exposed.env,
    startNode: graph.nodes.get(graph.startAt)?.internalName ?? graph.startAt,
    volumeMounts: config.persistent_volumes.map((v, i) => ({ name: `executor-${i}`, mountPath: v.mount_path })),
  };
  renderGraph(state, graph, ENTRYPOINT, []);
  const workflow = workflowOf(config, state, exposed.args);
  assertUniqueNames(workflow);
  return { workflow, warnings };
}
