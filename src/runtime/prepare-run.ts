import { basename, resolve } from "node:path";
import { RunnableError, formatProblem } from "../core/errors.js";
import type { Graph } from "../core/graph.js";
import { generateRunId, validateRunId } from "../core/run-id.js";
import type { CodeIdentity, RunConfig } from "../core/run-log.js";
import { loadServicesConfig } from "../config/load-config.js";
import { dagHash } from "../definition/dag-hash.js";
import { loadPipelineFile } from "../definition/load-pipeline.js";
import type { RunEvent, RunPlan, Services } from "../engine/services.js";
import type { PluginContext } from "../ports/plugin.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import { builtinRegistry } from "./builtins.js";
import { checkRunnable } from "./check-graph.js";
import { createService, createTaskRunners, knownServiceSchemas, serviceRecord } from "./compose-services.js";
import { gitCodeIdentity } from "./git-identity.js";
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
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  registry?: Registry;
  onEvent?: (event: RunEvent) => void;
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

/** Loads and checks everything a run needs; nothing is written until this succeeds. */
export async function prepareRun(options: RunOptions): Promise<{ plan: RunPlan; services: Services }> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const registry = options.registry ?? builtinRegistry();
  const known = knownServiceSchemas(registry);
  const config = await loadServicesConfig({ ...(options.configFile ? { file: options.configFile } : {}), env, cwd, known });
  const pipeline = await loadSource(options.source, cwd);
  const context: PluginContext = { cwd, env, warn };
  const [executor, runLogStore, catalog, secrets, tracker] = await Promise.all([
    createService(registry, "executor", config.services.executor, context),
    createService(registry, "run_log_store", config.services.run_log_store, context),
    createService(registry, "catalog", config.services.catalog, context),
    createService(registry, "secrets", config.services.secrets, context),
    createService(registry, "experiment_tracker", config.services.experiment_tracker, context),
  ]);
  const runners = await createTaskRunners(registry, context, config.taskRunners);
  const problems = await checkRunnable(pipeline.graph, runners, cwd);
  if (problems.length > 0) {
    throw new RunnableError("PIPELINE_INVALID", `the pipeline cannot run:\n${problems.map(formatProblem).join("\n")}`, { problems });
  }
  const parameters = await initialParameters(options.parametersFile, env, cwd);
  const runId = await chooseRunId(options.runId, runLogStore);
  const tag = options.tag ?? "";
  let identity: Promise<CodeIdentity> | undefined;
  const services: Services = {
    executor,
    runLogStore,
    catalog,
    secrets,
    tracker,
    taskRunner: (commandType) => runners.get(commandType),
    codeIdentity: () => (identity ??= gitCodeIdentity(cwd)),
    warn,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
  const runConfig: RunConfig = {
    executor: serviceRecord("executor", executor),
    run_log_store: serviceRecord("run_log_store", runLogStore),
    secrets_handler: serviceRecord("secrets", secrets),
    catalog_handler: serviceRecord("catalog", catalog),
    experiment_tracker: serviceRecord("experiment_tracker", tracker),
    pipeline_file: pipeline.file ?? "",
    parameters_file: options.parametersFile ?? "",
    configuration_file: config.file ?? "",
    tag,
    run_id: runId,
    variables: config.variables,
    use_cached: false,
    original_run_id: "",
    dag: pipeline.serialised,
    dag_hash: pipeline.dagHash,
    execution_plan: "chained",
  };
  const plan: RunPlan = {
    runId,
    tag,
    graph: pipeline.graph,
    pipelineName: pipeline.name,
    initialParameters: parameters,
    runConfig,
    cwd,
    env,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  return { plan, services };
}

async function loadSource(source: PipelineSource, cwd: string) {
  if (source.kind === "graph") {
    return { graph: source.graph, serialised: source.serialised, dagHash: source.dagHash ?? dagHash(source.serialised), name: source.name, file: source.file };
  }
  const loaded = await loadPipelineFile(resolve(cwd, source.file), { cwd });
  return { graph: loaded.graph, serialised: loaded.serialised, dagHash: loaded.dagHash, name: basename(source.file), file: source.file };
}

async function chooseRunId(requested: string | undefined, store: RunLogStore): Promise<string> {
  if (requested !== undefined) {
    const problem = validateRunId(requested);
    if (problem) throw new RunnableError("CLI_USAGE", `invalid run id "${requested}": ${problem}`);
    if (await store.exists(requested)) {
      throw new RunnableError("RUN_EXISTS", `a run with id "${requested}" already exists in the ${store.type} run log store`, {
        hint: "choose another --run-id, or omit it to get a generated one",
      });
    }
    return requested;
  }
  for (let tries = 0; ; tries++) {
    const id = generateRunId(new Date(), Math.random);
    if (!(await store.exists(id))) return id;
    if (tries > 50) throw new RunnableError("INTERNAL", "could not generate an unused run id");
  }
}
