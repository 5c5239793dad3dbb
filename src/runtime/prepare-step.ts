import { RunnableError } from "../core/errors.js";
import type { MapVariable } from "../core/names.js";
import type { RunLog } from "../core/run-log.js";
import { resolveStep, type ResolvedStep } from "../engine/resolve-step.js";
import { createRunState } from "../engine/run-pipeline.js";
import type { RunState } from "../engine/run-state.js";
import type { RunEvent, RunPlan, RunStop } from "../engine/services.js";
import type { ExecutorCapabilities } from "../ports/executor.js";
import { baseOptions, checkBeforeRun, composeRun, runStopFrom } from "./compose-run.js";
import { knownSecretValues } from "./known-secrets.js";
import { initialParameters } from "./initial-parameters.js";
import { buildRunConfig, loadSource, type PipelineSource } from "./prepare-run.js";
import type { Registry } from "./registry.js";

/** Options of the step entry points (`runnable execute-single-node`, `runnable fan`). */
export interface StepOptions {
  runId: string;
  /** Internal name of the step: dot path, map placeholders unresolved, `%` for spaces (runnable's command-friendly form). */
  step: string;
  /** The enclosing maps' items, outermost first (runnable's `--map-variable` JSON object). */
  mapVariable?: string;
  file?: string;
  configFile?: string;
  parametersFile?: string;
  tag?: string;
  loadFile: (file: string) => Promise<PipelineSource>;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  registry?: Registry;
  onEvent?: (event: RunEvent) => void;
  warn?: (message: string) => void;
  stop?: RunStop;
}

/** A step ready to run in this process; `dispose` must be called when it is done. */
export interface PreparedStep {
  run: RunState;
  step: ResolvedStep;
  /** What the executor of the config supports (pods of an executor that retries by relaunch make one attempt each). */
  capabilities: ExecutorCapabilities;
  dispose(): Promise<void>;
}

/** Parses runnable's `--map-variable` JSON object (its key order is the maps' order, outermost first). */
export function parseMapVariable(text: string | undefined): MapVariable {
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunnableError("CLI_USAGE", `--map-variable is not valid JSON: ${(error as Error).message}`, {
      hint: `give a JSON object of iterate_as names to items, e.g. '{"chunk": 3}'`,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RunnableError("CLI_USAGE", "--map-variable must be a JSON object of iterate_as names to items", { hint: `e.g. '{"chunk": 3}'` });
  }
  return Object.entries(value);
}

/**
 * Prepares one step of a run for a process of its own: loads config and pipeline, creates the run
 * log if this is the run's first step process (the first pod of an Argo workflow), and finds the
 * step with what it needs from the stored run (its parameters, its earlier attempts).
 */
export async function prepareStep(options: StepOptions): Promise<PreparedStep> {
  const { cwd, env, warn } = baseOptions(options);
  const composed = await composeRun({ ...options, cwd, env, warn });
  try {
    const { runLogStore } = composed.services;
    const stored = (await runLogStore.exists(options.runId)) ? await runLogStore.get(options.runId) : undefined;
    const file = options.file || (stored?.run_config.pipeline_file ?? "");
    if (!file)
      throw new RunnableError("CLI_USAGE", `Step "${options.step}" of run "${options.runId}": no pipeline file`, { hint: "give the pipeline with -f/--file" });
    const pipeline = await loadSource(await options.loadFile(file), cwd);
    await checkBeforeRun(pipeline.graph, composed, cwd);
    const tag = options.tag ?? stored?.tag ?? "";
    const runConfig = buildRunConfig(composed.services, composed.config, pipeline, {
      runId: options.runId,
      tag,
      parametersFile: options.parametersFile,
      original: undefined,
    });
    const log = stored ?? (await createFirst(composed.services.runLogStore, options, runConfig, await initialParameters(options.parametersFile, env, cwd)));
    const plan: RunPlan = {
      runId: options.runId,
      tag,
      graph: pipeline.graph,
      pipelineName: pipeline.name,
      initialParameters: log.initial_parameters ?? {},
      runConfig,
      cwd,
      env,
      mode: { kind: "retry", stored: log },
      stop: runStopFrom(options.stop, undefined),
      secretValues: await knownSecretValues(pipeline.graph, composed.services.secrets, warn),
    };
    const step = resolveStep(pipeline.graph, log, options.step.replaceAll("%", " "), parseMapVariable(options.mapVariable));
    const run = createRunState(plan, composed.services, await composed.services.codeIdentity());
    return { run, step, capabilities: composed.services.executor.capabilities, dispose: composed.dispose };
  } catch (error) {
    await composed.dispose();
    throw error;
  }
}

/** The first step process of a run creates its log; one that loses the race reads the winner's. */
async function createFirst(
  store: PreparedStep["run"]["services"]["runLogStore"],
  options: StepOptions,
  runConfig: RunPlan["runConfig"],
  parameters: Record<string, unknown>,
): Promise<RunLog> {
  try {
    await store.create({
      run_id: options.runId,
      dag_hash: runConfig.dag_hash,
      use_cached: false,
      tag: runConfig.tag,
      original_run_id: "",
      status: "PROCESSING",
      parameters,
      run_config: runConfig,
      initial_parameters: structuredClone(parameters),
    });
  } catch (error) {
    if (!(error instanceof RunnableError) || error.code !== "RUN_EXISTS") throw error;
  }
  return store.get(options.runId);
}
