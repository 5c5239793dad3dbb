import { RunnableError } from "../core/errors.js";
import type { RunLog } from "../core/run-log.js";
import type { RunEvent, RunPlan, RunStop } from "../engine/services.js";
import { baseOptions, checkBeforeRun, composeRun, runStopFrom } from "./compose-run.js";
import { initialParameters } from "./initial-parameters.js";
import { buildRunConfig, loadSource, type PipelineSource, type PreparedRun } from "./prepare-run.js";
import type { Registry } from "./registry.js";

/** Options of `runnable retry RUN_ID` (and `pipeline.retry()`). */
export interface RetryOptions {
  runId: string;
  /** Pipeline file; default: the run's `run_config.pipeline_file`. */
  file?: string;
  /** Services config; default: the run's `run_config.configuration_file`. */
  configFile?: string;
  /** Initial parameters file; default: what the run started with. */
  parametersFile?: string;
  /** Turns a pipeline file into a source (the CLI loads YAML and TypeScript modules). */
  loadFile: (file: string) => Promise<PipelineSource>;
  /** A pipeline built in code (SDK `pipeline.retry()`); wins over `file`. */
  source?: PipelineSource;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  registry?: Registry;
  onEvent?: (event: RunEvent) => void;
  warn?: (message: string) => void;
  signal?: AbortSignal;
  stop?: RunStop;
  stopGraceMs?: number;
}

/**
 * Prepares the continuation of a stored run under its own id: its pipeline, config and parameters come
 * from its `run_config` unless given explicitly (with a warning). A run whose process is alive is
 * refused (RUN_BUSY); anything else — failed, stopped, or left PROCESSING by a dead process — continues.
 */
export async function prepareRetry(options: RetryOptions): Promise<PreparedRun> {
  const { cwd, env, warn } = baseOptions(options);
  let composed = await composeRun({ ...options, cwd, env, warn });
  try {
    let stored = await storedRun(composed.services.runLogStore, options.runId);
    const storedConfig = stored.run_config.configuration_file || undefined;
    if (options.configFile === undefined && storedConfig !== undefined && storedConfig !== (composed.config.file ?? undefined)) {
      const before = composed.services.runLogStore;
      await composed.dispose();
      composed = await composeRun({ ...options, configFile: storedConfig, cwd, env, warn });
      // The run's own config may choose another store; the same one need not be read again.
      const after = composed.services.runLogStore;
      if (after.type !== before.type || JSON.stringify(after.recordedConfig) !== JSON.stringify(before.recordedConfig)) {
        stored = await storedRun(after, options.runId);
      }
    }
    const lease = await composed.services.runLogStore.leaseState(options.runId);
    if (lease.state === "live") {
      throw new RunnableError("RUN_BUSY", `Run "${options.runId}" is still running (process ${lease.owner.pid} on ${lease.owner.host})`, {
        hint: "A live run is never retried: wait for it to end, or stop it first (Ctrl-C, or kill <pid>).",
      });
    }
    explicitWins(warn, "pipeline file", options.file, stored.run_config.pipeline_file);
    explicitWins(warn, "configuration file", options.configFile, storedConfig);
    explicitWins(warn, "parameters file", options.parametersFile, stored.run_config.parameters_file || undefined);
    const pipeline = await loadSource(options.source ?? (await options.loadFile(pipelineFileOf(stored, options.file))), cwd);
    await checkBeforeRun(pipeline.graph, composed, cwd);
    const parametersFile = options.parametersFile ?? (stored.run_config.parameters_file || undefined);
    const initial =
      options.parametersFile === undefined && stored.initial_parameters ? stored.initial_parameters : await initialParameters(parametersFile, env, cwd);
    const original = stored.use_cached && stored.original_run_id ? ({ run_id: stored.original_run_id } as RunLog) : undefined;
    const runConfig = buildRunConfig(composed.services, composed.config, pipeline, { runId: stored.run_id, tag: stored.tag ?? "", parametersFile, original });
    const plan: RunPlan = {
      runId: stored.run_id,
      tag: stored.tag ?? "",
      graph: pipeline.graph,
      pipelineName: pipeline.name,
      initialParameters: initial,
      runConfig,
      cwd,
      env,
      mode: { kind: "retry", stored },
      stop: runStopFrom(options.stop, options.signal),
    };
    return { plan, services: composed.services, dispose: composed.dispose };
  } catch (error) {
    await composed.dispose();
    throw error;
  }
}

async function storedRun(store: PreparedRun["services"]["runLogStore"], runId: string): Promise<RunLog> {
  if (!(await store.exists(runId))) {
    throw new RunnableError("RUN_NOT_FOUND", `No run "${runId}" in the ${store.type} run log store`, {
      hint:
        store.type === "buffered"
          ? "the buffered store keeps runs in memory only, so its runs cannot be retried; configure a file-system or chunked-fs run_log_store"
          : "check the run id (`runnable runs list`) and the services config (-c) that chose the store the run was written to",
    });
  }
  return store.get(runId);
}

function pipelineFileOf(stored: RunLog, explicit: string | undefined): string {
  const file = explicit ?? (stored.run_config.pipeline_file || undefined);
  if (file === undefined) {
    throw new RunnableError("CLI_USAGE", `Run "${stored.run_id}" was defined in code (no pipeline file is recorded)`, {
      hint: "retry it from the code that built it (`pipeline.retry(runId)`), or give the pipeline file with -f",
    });
  }
  return file;
}

function explicitWins(warn: (message: string) => void, what: string, explicit: string | undefined, stored: string | null | undefined): void {
  if (explicit !== undefined && explicit !== (stored ?? undefined)) {
    warn(`retry: using the ${what} ${explicit} given on the command line instead of the run's own (${stored || "none"})`);
  }
}
