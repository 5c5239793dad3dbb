import { basename, resolve } from "node:path";
import { RunnableError } from "../core/errors.js";
import type { Graph } from "../core/graph.js";
import { RUN_ID_HINT, generateRunId, validateRunId } from "../core/run-id.js";
import type { RunConfig, RunLog } from "../core/run-log.js";
import type { LoadedConfig } from "../config/load-config.js";
import { dagHash } from "../definition/dag-hash.js";
import { loadPipelineFile } from "../definition/load-pipeline.js";
import type { RunEvent, RunMode, RunPlan, RunStop, Services } from "../engine/services.js";
import type { Catalog } from "../ports/catalog.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import { baseOptions, checkBeforeRun, composeRun, runStopFrom } from "./compose-run.js";
import { serviceRecord } from "./compose-services.js";
import { initialParameters } from "./initial-parameters.js";
import type { Registry } from "./registry.js";

/** A pipeline to run: a YAML file, or a graph built in code (SDK or a TypeScript pipeline module). */
export type PipelineSource =
  | { kind: "yaml"; file: string }
  | { kind: "graph"; graph: Graph; serialised: Record<string, unknown>; name: string; file: string | null; dagHash?: string };

/** Options of a run, shared by the CLI and `pipeline.execute()`. */
export interface RunOptions {
  source: PipelineSource;
  configFile?: string;
  parametersFile?: string;
  runId?: string;
  tag?: string;
  /** Re-run: skip what succeeded in this earlier run (runnable's `--use-cached`). */
  useCached?: string;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  registry?: Registry;
  onEvent?: (event: RunEvent) => void;
  warn?: (message: string) => void;
  /** Stops the run when aborted (SDK callers). */
  signal?: AbortSignal;
  /** Stop controls with a forced stop (the CLI). */
  stop?: RunStop;
  /** Time stopped task processes get before SIGKILL (ms). */
  stopGraceMs?: number;
}

/** A run ready to go; `dispose` must be called when it ended (it stops helper processes). */
export interface PreparedRun {
  plan: RunPlan;
  services: Services;
  dispose(): Promise<void>;
}

/** A loaded pipeline with what `run_config` records of it. */
export interface LoadedPipeline {
  graph: Graph;
  serialised: Record<string, unknown>;
  dagHash: string;
  name: string;
  file: string | null;
}

/** Loads and checks everything a run needs; nothing is written until this succeeds. */
export async function prepareRun(options: RunOptions): Promise<PreparedRun> {
  const { cwd, env, warn } = baseOptions(options);
  const composed = await composeRun({ ...options, cwd, env, warn });
  try {
    const pipeline = await loadSource(options.source, cwd);
    await checkBeforeRun(pipeline.graph, composed, cwd);
    const { runLogStore } = composed.services;
    const original = options.useCached === undefined ? undefined : await originalRun(runLogStore, options.useCached);
    const initial = await initialParameters(options.parametersFile, env, cwd);
    const runId = await chooseRunId(options.runId, runLogStore, composed.services.catalog);
    const tag = options.tag ?? "";
    const runConfig = buildRunConfig(composed.services, composed.config, pipeline, { runId, tag, parametersFile: options.parametersFile, original });
    const mode: RunMode = original ? { kind: "cached", original } : { kind: "new" };
    const plan: RunPlan = {
      runId,
      tag,
      graph: pipeline.graph,
      pipelineName: pipeline.name,
      // A re-run starts from the original's final parameters over the initial ones (runnable §8.6).
      initialParameters: original ? { ...initial, ...original.parameters } : initial,
      runConfig,
      cwd,
      env,
      mode,
      stop: runStopFrom(options.stop, options.signal),
    };
    return { plan, services: composed.services, dispose: composed.dispose };
  } catch (error) {
    await composed.dispose();
    throw error;
  }
}

/** The run a re-run starts from; it must be in the configured store. */
async function originalRun(store: RunLogStore, runId: string): Promise<RunLog> {
  if (store.type === "buffered") {
    throw new RunnableError("CONFIG_INVALID", `--use-cached ${runId}: the buffered run log store keeps runs in memory only, so no earlier run can be re-used`, {
      hint: "configure a persistent run_log_store (file-system or chunked-fs) for runs you want to re-run",
    });
  }
  if (validateRunId(runId) !== undefined || !(await store.exists(runId))) {
    throw new RunnableError("RUN_NOT_FOUND", `Expected a run log with id: ${runId} but it does not exist in the ${store.type} run log store`, {
      hint: "--use-cached takes the id of an earlier run in the same run log store (`runnable runs list` shows them)",
    });
  }
  return store.get(runId);
}

/** `run_config` as runnable writes it. */
export function buildRunConfig(
  services: Services,
  config: LoadedConfig,
  pipeline: LoadedPipeline,
  run: { runId: string; tag: string; parametersFile: string | undefined; original: RunLog | undefined },
): RunConfig {
  return {
    executor: serviceRecord("executor", services.executor),
    run_log_store: serviceRecord("run_log_store", services.runLogStore),
    secrets_handler: serviceRecord("secrets", services.secrets),
    catalog_handler: serviceRecord("catalog", services.catalog),
    experiment_tracker: serviceRecord("experiment_tracker", services.tracker),
    pipeline_file: pipeline.file ?? "",
    parameters_file: run.parametersFile ?? "",
    configuration_file: config.file ?? "",
    tag: run.tag,
    run_id: run.runId,
    variables: config.variables,
    use_cached: run.original !== undefined,
    original_run_id: run.original?.run_id ?? "",
    dag: pipeline.serialised,
    dag_hash: pipeline.dagHash,
    execution_plan: "chained",
  };
}

/** Loads a pipeline source (YAML file, or a graph built in code). */
export async function loadSource(source: PipelineSource, cwd: string): Promise<LoadedPipeline> {
  if (source.kind === "graph") {
    return { graph: source.graph, serialised: source.serialised, dagHash: source.dagHash ?? dagHash(source.serialised), name: source.name, file: source.file };
  }
  const loaded = await loadPipelineFile(resolve(cwd, source.file), { cwd });
  // `serialised` and `dagHash` stay lazy (computed on first read; `validate` reads neither).
  return {
    graph: loaded.graph,
    get serialised() {
      return loaded.serialised;
    },
    get dagHash() {
      return loaded.dagHash;
    },
    name: basename(source.file),
    file: source.file,
  };
}

/**
 * Refuses a run id whose catalog folder is a symbolic link (its files would go wherever it points),
 * and — with the in-memory store, which cannot know whether the id was used before — one whose
 * catalog already holds files: the new run would read the earlier run's. (With a persistent store, a
 * catalog folder without a run log was prepared on purpose: runnable's way to debug a copied run.)
 */
async function checkCatalogArea(catalog: Catalog, store: RunLogStore, runId: string): Promise<void> {
  const existing = (await catalog.existingRun?.(runId)) ?? "none";
  if (existing === "link") {
    throw new RunnableError(
      "CATALOG_ERROR",
      `the ${catalog.type} catalog's folder for run "${runId}" is a symbolic link: the run's files would be written wherever it points`,
      {
        hint: "remove the link, or choose another --run-id (or omit it)",
      },
    );
  }
  if (existing === "files" && store.type === "buffered") {
    throw new RunnableError(
      "RUN_EXISTS",
      `the ${catalog.type} catalog already holds files of a run with id "${runId}", and the buffered run log store cannot tell whether that id was used`,
      {
        hint: "choose another --run-id (or omit it), or remove that run's catalog folder first",
      },
    );
  }
}

async function chooseRunId(requested: string | undefined, store: RunLogStore, catalog: Catalog): Promise<string> {
  if (requested !== undefined) {
    const problem = validateRunId(requested);
    if (problem) throw new RunnableError("CLI_USAGE", `invalid run id "${requested}": ${problem}`, { hint: RUN_ID_HINT });
    if (await store.exists(requested)) {
      throw new RunnableError("RUN_EXISTS", `a run with id "${requested}" already exists in the ${store.type} run log store`, {
        hint: "choose another --run-id, or omit it to get a generated one; `runnable retry <run-id>` continues a failed or stopped run",
      });
    }
    await checkCatalogArea(catalog, store, requested);
    return requested;
  }
  for (let tries = 0; ; tries++) {
    const id = generateRunId(new Date(), Math.random);
    if (!(await store.exists(id)) && ((await catalog.existingRun?.(id)) ?? "none") === "none") return id;
    if (tries > 50) throw new RunnableError("INTERNAL", "could not generate an unused run id");
  }
}
