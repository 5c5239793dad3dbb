import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Graph } from "../core/graph.js";
import type { Parameters, RunLog } from "../core/run-log.js";
import { buildGraph } from "../definition/build-graph.js";
import { loadPipelineFile } from "../definition/load-pipeline.js";
import { serialiseGraph } from "../definition/serialise.js";
import { runPipeline } from "../engine/run-pipeline.js";
import type { RunMode, RunPlan, RunStop, Services } from "../engine/services.js";
import { createBufferedRunLogStore } from "../plugins/run-log-store/buffered/buffered.js";
import type { Executor } from "../ports/executor.js";
import type { TaskRunner } from "../ports/task-runner.js";
import { loadServicesConfig } from "../config/load-config.js";
import { builtinRegistry } from "../runtime/builtins.js";
import { createService, createTaskRunners, knownServiceSchemas } from "../runtime/compose-services.js";
import { fixedClock, memoryCatalog, recordingTracker } from "./fakes.js";

/** Services for engine tests: in memory, deterministic, no processes and no files. */
export function testServices(overrides: Partial<Services> & { runner?: TaskRunner } = {}): Services {
  const { runner, ...rest } = overrides;
  const executor: Executor = {
    type: "local",
    capabilities: { placement: "in-process", retryByRelaunch: false, memoryStore: true },
    recordedConfig: {},
    maxParallel: 1,
    stepTimeLimitMs: () => undefined,
  };
  const identity = {
    code_identifier: "0".repeat(40),
    code_identifier_type: "git",
    code_identifier_dependable: true,
    code_identifier_url: null,
    code_identifier_message: "",
  };
  return {
    executor,
    runLogStore: createBufferedRunLogStore(),
    catalog: memoryCatalog(),
    secrets: { type: "do-nothing", traits: { source: "none" }, recordedConfig: {}, get: async (name) => Promise.reject(new Error(`no secret ${name}`)) },
    tracker: recordingTracker(),
    taskRunner: (type) => (runner?.commandTypes.includes(type) ? runner : undefined),
    codeIdentity: async () => identity,
    processes: { add: () => undefined, remove: () => undefined },
    scratchDir: async () => Promise.reject(new Error("engine tests run no subprocesses")),
    now: fixedClock(),
    stopGraceMs: 100,
    warn: () => undefined,
    ...rest,
  };
}

/**
 * Services like {@link testServices} whose task steps run for real with the built-in task runners
 * (a shell step starts /bin/sh), each attempt in a fresh temporary folder; store, catalog and tracker
 * stay in memory. For engine tests of pipelines whose commands matter (runnable's examples).
 */
export async function realTaskServices(overrides: Partial<Services> = {}): Promise<Services> {
  const runners = await createTaskRunners(builtinRegistry(), { cwd: process.cwd(), env: process.env, warn: () => undefined });
  return testServices({
    taskRunner: (type) => runners.get(type),
    scratchDir: () => mkdtemp(join(tmpdir(), "runnable-engine-test-")),
    releaseScratchDir: (dir) => rm(dir, { recursive: true, force: true }),
    ...overrides,
  });
}

/**
 * A real executor plug-in for engine tests: the one a services config file names (e.g. runnable's
 * `mocked-config-unittest.yaml`), or a type with its config (validated as a config file's would be).
 */
export async function executorOf(choice: { file: string } | { type: string; config?: unknown }): Promise<Executor> {
  const registry = builtinRegistry();
  const context = { cwd: process.cwd(), env: {}, warn: () => undefined };
  if ("file" in choice) {
    const loaded = await loadServicesConfig({ file: choice.file, env: {}, cwd: process.cwd(), known: knownServiceSchemas(registry) });
    return createService(registry, "executor", loaded.services.executor, context);
  }
  const config = registry.find("executor", choice.type)?.configSchema.parse(choice.config ?? {});
  return createService(registry, "executor", { type: choice.type, config }, context);
}

/** Options of {@link runGraph}. */
export interface RunGraphOptions {
  runId?: string;
  parameters?: Parameters;
  mode?: RunMode;
  /** Aborting it stops the run (its reason should be a StopReason). */
  stop?: Partial<RunStop>;
  /** The run's working directory (where task processes start; default: this process's). */
  cwd?: string;
  /** The environment tasks inherit (default: none but PATH). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** A graph from runnable's YAML `dag` mapping (as an object), for engine tests. */
export function graphOf(dag: Record<string, unknown>): Graph {
  return buildGraph(dag, { baseDir: process.cwd() });
}

/** A graph from a pipeline file (e.g. one of runnable's examples), for engine tests. */
export async function graphOfFile(file: string): Promise<Graph> {
  return (await loadPipelineFile(resolve(file), { cwd: process.cwd() })).graph;
}

/** Runs a graph on `services` straight through the engine and returns the stored run log. */
export async function runGraph(graph: Graph, services: Services, options: RunGraphOptions = {}): Promise<RunLog> {
  const runId = options.runId ?? "test-run";
  const service = (name: string, kind: string) => ({ service_name: name, service_type: kind });
  const plan: RunPlan = {
    runId,
    tag: "",
    graph,
    pipelineName: "test",
    initialParameters: options.parameters ?? {},
    runConfig: {
      executor: { ...service(services.executor.type, "executor"), ...services.executor.recordedConfig },
      run_log_store: service(services.runLogStore.type, "run_log_store"),
      secrets_handler: service(services.secrets.type, "secrets"),
      catalog_handler: service(services.catalog.type, "catalog"),
      experiment_tracker: service(services.tracker.type, "experiment_tracker"),
      pipeline_file: "",
      parameters_file: "",
      configuration_file: "",
      tag: "",
      run_id: runId,
      variables: {},
      use_cached: false,
      original_run_id: "",
      dag: serialiseGraph(graph),
      dag_hash: "",
      execution_plan: "chained",
    },
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? { PATH: process.env["PATH"] },
    mode: options.mode ?? { kind: "new" },
    stop: { signal: options.stop?.signal ?? new AbortController().signal, force: options.stop?.force ?? new AbortController().signal },
  };
  await runPipeline(plan, services);
  return services.runLogStore.get(runId);
}
