import { RunnableError } from "../core/errors.js";
import { RUN_ID_HINT, generateRunId, validateRunId } from "../core/run-id.js";
import type { Parameters, RunConfig, RunLog } from "../core/run-log.js";
import type { ParameterKinds } from "../core/returns.js";
import type { LoadedConfig } from "../config/load-config.js";
import type { RunMode, RunPlan, RunStop, Services } from "../engine/services.js";
import type { Catalog } from "../ports/catalog.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import { runStopFrom } from "./compose-run.js";
import { serviceRecord } from "./compose-services.js";
import type { LoadedPipeline } from "./load-pipeline-source.js";

// What a run records of itself, decided once for every kind of preparation: its run_config, its id,
// the earlier run a re-run starts from, and the plan handed to the engine.

/** `run_config` as runnable writes it. */
export function buildRunConfig(
  services: Services,
  config: LoadedConfig,
  pipeline: LoadedPipeline,
  run: { runId: string; tag: string; parametersFile: string | undefined; original: Pick<RunLog, "run_id"> | undefined },
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

/** What differs between plans: the run's identity, its record, where its parameters start, how it relates to earlier records. */
export interface PlanFields {
  runId: string;
  tag: string;
  runConfig: RunConfig;
  initialParameters: Parameters;
  /** Kinds of the non-JSON initial parameters (a re-run starts from the original's final ones). */
  initialKinds?: ParameterKinds | undefined;
  mode: RunMode;
}

/** The plan the engine gets: the fields, the pipeline, where it runs and how it is stopped (the caller's stop controls or AbortSignal). */
export function planOf(
  pipeline: LoadedPipeline,
  fields: PlanFields,
  where: { cwd: string; env: Readonly<Record<string, string | undefined>>; stop?: RunStop | undefined; signal?: AbortSignal | undefined },
): RunPlan {
  return {
    ...fields,
    graph: pipeline.graph,
    pipelineName: pipeline.name,
    cwd: where.cwd,
    env: where.env,
    stop: runStopFrom(where.stop, where.signal),
  };
}

/** The run a re-run starts from; it must be in the configured store. */
export async function originalRun(store: RunLogStore, runId: string): Promise<RunLog> {
  if (!store.traits.persistent) {
    throw new RunnableError(
      "CONFIG_INVALID",
      `--use-cached ${runId}: the ${store.type} run log store keeps runs in memory only, so no earlier run can be re-used`,
      { hint: "configure a persistent run_log_store (file-system or chunked-fs) for runs you want to re-run" },
    );
  }
  if (validateRunId(runId) !== undefined || !(await store.exists(runId))) {
    throw new RunnableError("RUN_NOT_FOUND", `Expected a run log with id: ${runId} but it does not exist in the ${store.type} run log store`, {
      hint: "--use-cached takes the id of an earlier run in the same run log store (`runnable runs list` shows them)",
    });
  }
  return store.get(runId);
}

/**
 * Refuses a run id whose catalog folder is a symbolic link (its files would go wherever it points),
 * and — with a store that keeps runs in memory, which cannot know whether the id was used before — one
 * whose catalog already holds files: the new run would read the earlier run's. (With a persistent
 * store, a catalog folder without a run log was prepared on purpose: runnable's way to debug a copied run.)
 */
async function checkCatalogArea(catalog: Catalog, store: RunLogStore, runId: string): Promise<void> {
  const existing = (await catalog.existingRun?.(runId)) ?? "none";
  if (existing === "link") {
    throw new RunnableError(
      "CATALOG_ERROR",
      `the ${catalog.type} catalog's folder for run "${runId}" is a symbolic link: the run's files would be written wherever it points`,
      { hint: "remove the link, or choose another --run-id (or omit it)" },
    );
  }
  if (existing === "files" && !store.traits.persistent) {
    throw new RunnableError(
      "RUN_EXISTS",
      `the ${catalog.type} catalog already holds files of a run with id "${runId}", and the ${store.type} run log store cannot tell whether that id was used`,
      { hint: "choose another --run-id (or omit it), or remove that run's catalog folder first" },
    );
  }
}

/** The id of a new run: the one asked for (valid and unused), or a generated one unused by the store and the catalog. */
export async function chooseRunId(requested: string | undefined, store: RunLogStore, catalog: Catalog): Promise<string> {
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
