import { LOOP_PLACEHOLDER } from "../../../core/names.js";
import { commandFriendlyName } from "./names.js";
import type { ArgoConfig } from "./schema.js";
import type { StepSettings } from "./settings.js";
import type { ArgoContainerTemplate, ArgoEnvVar, ArgoParameters, ArgoRetry } from "./workflow-types.js";

/** The run id every pod uses: the workflow argument, which defaults to the Argo workflow's uid. */
export const RUN_ID_PLACEHOLDER = "{{workflow.parameters.run_id}}";

/**
 * Where a map's fan-out pod writes the list Argo expands with `withParam`: `fan --mode out` writes
 * `encodeMapItems(items)` to `join(os.tmpdir(), "output.txt")`, which is this path in a pod (TMPDIR
 * unset); the tests' process pods get a private TMPDIR standing in for the pod's /tmp.
 */
export const FAN_OUT_OUTPUT_PATH = "/tmp/output.txt";

/** Name of the fan-out pod's output parameter holding the map items. */
export const ITERATE_ON_OUTPUT = "iterate-on";

/** Name of a conditional's fan-out output: the index of the branch to run (compared in each branch's `when`). */
export const CASE_OUTPUT = "case";

/** Name of a loop check pod's output: the next iteration's index, or -1 when the loop is over. */
export const NEXT_OUTPUT = "next";

/**
 * An iteration variable of the enclosing composites and the Argo parameter carrying it: a map's
 * `iterate_as` (passed as `--map-variable`), or a loop's iteration index (`loop: true`: it takes the
 * place of the loop's placeholder in the names of the pods' steps).
 */
export interface IterVar {
  name: string;
  param: string;
  loop?: true;
}

/** What pod commands repeat: the files and tag of the run, as given to `runnable execute`. */
export interface CommandInputs {
  pipelineFile: string;
  configFile: string | null;
  parametersFile: string | null;
  tag: string;
}

/**
 * The `--map-variable` JSON of a pod inside maps. Each value is spliced in unquoted: the fan-out pod
 * writes every item as its JSON text (see `encodeMapItems`), so `{{inputs.parameters.x}}` is already
 * JSON and items keep their types (runnable quoted them, turning every item into a string).
 */
export function mapVariableArgument(iterVars: readonly IterVar[]): string {
  const items = iterVars.filter((v) => !v.loop);
  return `{${items.map((v) => `${JSON.stringify(v.name)}: {{inputs.parameters.${v.param}}}`).join(", ")}}`;
}

/** The step's internal name with each enclosing loop's placeholder replaced by that loop's index parameter. */
function withLoopIndexes(internalName: string, iterVars: readonly IterVar[]): string {
  let name = internalName;
  for (const v of iterVars.filter((candidate) => candidate.loop)) name = name.replace(LOOP_PLACEHOLDER, `{{inputs.parameters.${v.param}}}`);
  return name;
}

/** The JSON text a map's fan-out pod writes for `withParam`: a list of the items' own JSON texts. */
export function encodeMapItems(items: readonly unknown[]): string {
  return JSON.stringify(items.map((item) => JSON.stringify(item)));
}

/** The `runnable` command of one pod (`execute-single-node`, or `fan` with `--mode in|out`). */
export function podCommand(inputs: CommandInputs, internalName: string, iterVars: readonly IterVar[], mode?: "in" | "out" | "next"): string[] {
  return [
    "runnable",
    mode ? "fan" : "execute-single-node",
    RUN_ID_PLACEHOLDER,
    commandFriendlyName(withLoopIndexes(internalName, iterVars)),
    ...(mode ? ["--mode", mode] : []),
    "--file",
    inputs.pipelineFile,
    ...(iterVars.some((v) => !v.loop) ? ["--map-variable", mapVariableArgument(iterVars)] : []),
    ...(inputs.configFile ? ["--config-file", inputs.configFile] : []),
    ...(inputs.parametersFile ? ["--parameters-file", inputs.parametersFile] : []),
    ...(inputs.tag ? ["--tag", inputs.tag] : []),
  ];
}

/** `{parameters: [{name}]}` declaring the iteration variables a template receives. */
export function inputsOf(iterVars: readonly IterVar[]): { inputs?: ArgoParameters } {
  return iterVars.length > 0 ? { inputs: { parameters: iterVars.map((v) => ({ name: v.param })) } } : {};
}

/** Arguments passing the enclosing iteration variables on to a task's template. */
export function passThrough(iterVars: readonly IterVar[]): ArgoParameters["parameters"] {
  return iterVars.map((v) => ({ name: v.param, value: `{{inputs.parameters.${v.param}}}` }));
}

/** Argo's retry strategy for a retry limit, with the policy and back-off of the settings. */
export function retryOf(settings: StepSettings, limit: number): ArgoRetry {
  const backOff = settings.retry.back_off;
  return {
    limit: String(limit),
    retryPolicy: settings.retry.retry_policy,
    backoff: { duration: String(backOff.duration_in_seconds), factor: String(backOff.factor), maxDuration: String(backOff.max_duration) },
  };
}

/** Env entries every container gets: Kubernetes secrets and the config variables the render used. */
export function commonEnv(config: ArgoConfig, variables: Readonly<Record<string, string>>): ArgoEnvVar[] {
  return [
    ...config.secrets_from_k8s.map((s) => ({ name: s.environment_variable, valueFrom: { secretKeyRef: { name: s.secret_name, key: s.secret_key } } })),
    // Pods read the same config file, so they need the same RUNNABLE_VAR_* values to substitute it.
    ...Object.entries(variables).map(([name, value]) => ({ name: `RUNNABLE_VAR_${name}`, value })),
  ];
}

/** Options of one container template beyond its name, command and settings. */
export interface ContainerOptions {
  iterVars: readonly IterVar[];
  env: readonly ArgoEnvVar[];
  volumeMounts: { name: string; mountPath: string }[];
  retryLimit: number;
  /** The output parameter a fan pod publishes (read from FAN_OUT_OUTPUT_PATH): a map's items, a conditional's branch, a loop's next iteration. */
  publishes?: string;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A pod template; fields an override can change are written only where they differ from the global config. */
export function containerTemplate(
  name: string,
  command: string[],
  settings: StepSettings,
  global: StepSettings,
  options: ContainerOptions,
): ArgoContainerTemplate {
  const { limits, requests } = settings.resources;
  return {
    name,
    ...(settings.maxStepDurationSeconds !== global.maxStepDurationSeconds ? { activeDeadlineSeconds: String(settings.maxStepDurationSeconds) } : {}),
    ...(settings.nodeSelector && !sameJson(settings.nodeSelector, global.nodeSelector) ? { nodeSelector: settings.nodeSelector } : {}),
    ...(settings.tolerations && !sameJson(settings.tolerations, global.tolerations) ? { tolerations: settings.tolerations } : {}),
    ...(options.retryLimit > 0 ? { retryStrategy: retryOf(settings, options.retryLimit) } : {}),
    ...inputsOf(options.iterVars),
    ...(options.publishes ? { outputs: { parameters: [{ name: options.publishes, valueFrom: { path: FAN_OUT_OUTPUT_PATH } }] } } : {}),
    container: {
      image: settings.image,
      command,
      ...(settings.imagePullPolicy ? { imagePullPolicy: settings.imagePullPolicy } : {}),
      resources: {
        limits: { memory: limits.memory, cpu: limits.cpu, ...(limits.gpu !== null ? { "nvidia.com/gpu": String(limits.gpu) } : {}) },
        requests: { memory: requests.memory, cpu: requests.cpu },
      },
      ...(options.volumeMounts.length > 0 ? { volumeMounts: options.volumeMounts } : {}),
      ...(options.env.length > 0 ? { env: [...options.env] } : {}),
    },
  };
}
