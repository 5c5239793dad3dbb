import { RunnableError } from "../core/errors.js";
import type { MapVariable } from "../core/names.js";
import type { Parameters, RunConfig, RunLog } from "../core/run-log.js";
import { resolveStep } from "../engine/resolve-step.js";
import { createRunState } from "../engine/run-pipeline.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import { type ComposedRun, checkBeforeRun, composeRun } from "./compose-run.js";
import { initialParameters } from "./initial-parameters.js";
import { asGraphRun, isJobRun, jobRunConfig, jobServices, storedJobSource } from "./job-run.js";
import { type PlanRecords, maskPlanRecords } from "./mask-plan.js";
import { loadSource } from "./load-pipeline-source.js";
import { openServices } from "./open-store.js";
import type { PreparedRun, PreparedStep, RetryIntent, RunContext, StepIntent } from "./prepare.js";
import { refuseEditedPipeline } from "./retry-pipeline-check.js";
import { buildRunConfig, planOf } from "./run-records.js";

// The preparations that start from a stored run: a retry continues it under its own id, a step
// process (a pod, a container) runs one of its steps.

type Base = Pick<RunContext, "cwd" | "env" | "warn">;

/**
 * The services of a retry, composed once with the run's own config: unless a config is given, the run
 * is first found with the store of the default config (only that store is opened), and its
 * `configuration_file` chooses the services.
 */
export async function composeForRetry(intent: RetryIntent, base: Base): Promise<{ composed: ComposedRun; stored: RunLog }> {
  let found: { stored: RunLog; store: RunLogStore; configFile: string | null; warnings: string[] } | undefined;
  if (intent.configFile === undefined) {
    // Only finds the run: the config's warnings come once, when the run's own config is composed. What
    // the store says while reading is kept: the store may go on as the run's own (below).
    const warnings: string[] = [];
    let warn = (_message: string): void => undefined;
    const opened = await openServices({ ...intent, ...base, warn: (message) => warn(message) }, ["run_log_store"]);
    const store = opened.services.run_log_store;
    warn = (message) => void warnings.push(message);
    found = { stored: await storedRun(store, intent.runId), store, configFile: opened.config.file, warnings };
    warn = base.warn;
  }
  const ownConfig = found?.stored.run_config.configuration_file || undefined;
  const configFile = intent.configFile ?? ownConfig ?? found?.configFile ?? undefined;
  const job = found ? isJobRun(found.stored) : false;
  const composing = { ...intent, ...base, ...(configFile !== undefined ? { configFile } : {}) };
  const composed = await composeRun({ ...composing, job });
  let stored: RunLog;
  try {
    const store = composed.services.runLogStore;
    // The run's own config may choose another store; the same one need not be read again.
    const same = found && store.type === found.store.type && JSON.stringify(store.recordedConfig) === JSON.stringify(found.store.recordedConfig);
    stored = same && found ? found.stored : await storedRun(store, intent.runId);
    // The same store goes on with what it learnt reading the run (where its logs are), and says what it saw
    // — a store on a folder only: one on a server holds connections, which the composed one would keep open.
    if (same && found && found.store.traits.sharing !== "server") {
      composed.services.runLogStore = found.store;
      for (const warning of found.warnings) base.warn(warning);
    }
  } catch (error) {
    await composed.dispose();
    throw error;
  }
  if (job || !isJobRun(stored)) return { composed, stored };
  // A job found only now (the config was given): its services are the job's (the config's job-executor).
  await composed.dispose();
  return { composed: await composeRun({ ...composing, job: true }), stored };
}

async function storedRun(store: RunLogStore, runId: string): Promise<RunLog> {
  if (!(await store.exists(runId))) {
    throw new RunnableError("RUN_NOT_FOUND", `No run "${runId}" in the ${store.type} run log store`, {
      hint: store.traits.persistent
        ? "check the run id (`runnable runs list`) and the services config (-c) that chose the store the run was written to"
        : `the ${store.type} store keeps runs in memory only, so its runs cannot be retried; configure a file-system or chunked-fs run_log_store`,
    });
  }
  return store.get(runId);
}

/**
 * Prepares the continuation of a stored run under its own id: its pipeline, config and parameters come
 * from its `run_config` unless given explicitly (with a warning). A run whose process is alive is
 * refused (RUN_BUSY); anything else — failed, stopped, or left PROCESSING by a dead process — continues.
 */
export async function prepareRetry(intent: RetryIntent, context: RunContext): Promise<PreparedRun> {
  const { cwd, env, warn, composed } = context;
  const stored = context.stored!;
  const lease = await composed.services.runLogStore.leaseState(intent.runId);
  if (lease.state === "live") {
    throw new RunnableError("RUN_BUSY", `Run "${intent.runId}" is still running (process ${lease.owner.pid} on ${lease.owner.host})`, {
      hint: "A live run is never retried: wait for it to end, or stop it first (Ctrl-C, or kill <pid>).",
    });
  }
  explicitWins(warn, "pipeline file", intent.file, stored.run_config.pipeline_file);
  explicitWins(warn, "configuration file", intent.configFile, stored.run_config.configuration_file || undefined);
  explicitWins(warn, "parameters file", intent.parametersFile, stored.run_config.parameters_file || undefined);
  // A job is self-contained: its graph is the one recorded with it.
  const job = isJobRun(stored) && !intent.source && !intent.file;
  const pipeline = await loadSource(intent.source ?? (job ? storedJobSource(stored, cwd) : { kind: "file", file: pipelineFileOf(stored, intent.file) }), cwd);
  refuseEditedPipeline(stored, pipeline, intent.file);
  await checkBeforeRun(pipeline.graph, composed, cwd);
  const parametersFile = intent.parametersFile ?? (stored.run_config.parameters_file || undefined);
  const initial =
    intent.parametersFile === undefined && stored.initial_parameters ? stored.initial_parameters : await initialParameters(parametersFile, env, cwd);
  const original = stored.use_cached && stored.original_run_id ? { run_id: stored.original_run_id } : undefined;
  const tag = intent.tag ?? stored.tag ?? "";
  const services = pipeline.job ? jobServices(composed.services) : composed.services;
  const built = buildRunConfig(services, composed.config, pipeline, { runId: stored.run_id, tag, parametersFile, original });
  const runConfig = pipeline.job ? jobRunConfig(built, services, pipeline.job, true) : built;
  // The engine reads a job's record as its graph's one step (what the retry continues).
  const fields = {
    runId: stored.run_id,
    tag,
    runConfig,
    initialParameters: initial,
    mode: { kind: "retry", stored: pipeline.job ? asGraphRun(stored) : stored } as const,
  };
  const plan = planOf(pipeline, fields, { cwd, env, stop: intent.stop, signal: intent.signal });
  if (pipeline.job) plan.recordsGraph = true;
  const { executor } = composed.services;
  if (executor.capabilities.placement === "rendered") {
    throw new RunnableError("UNSUPPORTED", `runs of executor ${executor.type} are not run here: retry them where they run`, {
      hint: "for Argo: argo retry <workflow> (or submit the manifest again)",
    });
  }
  return { plan, services, dispose: composed.dispose };
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

/** The run a step belongs to, when it exists (the first step process of an Argo workflow creates it). */
export async function storedStepRun(store: RunLogStore, runId: string): Promise<RunLog | undefined> {
  return (await store.exists(runId)) ? store.get(runId) : undefined;
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
 * Prepares one step of a run for a process of its own: loads the pipeline, creates the run log if this
 * is the run's first step process (the first pod of an Argo workflow), and finds the step with what it
 * needs from the stored run (its parameters, its earlier attempts).
 */
export async function prepareStep(intent: StepIntent, context: RunContext): Promise<PreparedStep> {
  const { cwd, env, warn, composed, stored } = context;
  const file = intent.file || (stored?.run_config.pipeline_file ?? "");
  // A job's step process reads the job's graph from its stored run.
  const job = stored && !intent.file && isJobRun(stored) ? storedJobSource(stored, cwd) : undefined;
  if (!file && !job)
    throw new RunnableError("CLI_USAGE", `Step "${intent.step}" of run "${intent.runId}": no pipeline file`, { hint: "give the pipeline with -f/--file" });
  const pipeline = await loadSource(job ?? { kind: "file", file }, cwd);
  await checkBeforeRun(pipeline.graph, composed, cwd);
  const services = pipeline.job ? jobServices(composed.services) : composed.services;
  const tag = intent.tag ?? stored?.tag ?? "";
  const built = buildRunConfig(services, composed.config, pipeline, {
    runId: intent.runId,
    tag,
    parametersFile: intent.parametersFile,
    original: undefined,
  });
  const runConfig = pipeline.job ? jobRunConfig(built, services, pipeline.job, false) : built;
  const read = stored && pipeline.job ? asGraphRun(stored) : stored;
  // Masked before the first step process creates the run log: nothing of it is ever written unmasked.
  const first = { runId: intent.runId, tag, runConfig, initialParameters: read ? {} : await initialParameters(intent.parametersFile, env, cwd) };
  const masked: PlanRecords = { ...first };
  await maskPlanRecords(masked, pipeline.graph, services.secrets, { warn, newRun: !read });
  const log = read ?? (await createFirst(services.runLogStore, intent.runId, masked.runConfig, masked.initialParameters));
  const fields = {
    runId: intent.runId,
    tag: masked.tag,
    runConfig: masked.runConfig,
    initialParameters: log.initial_parameters ?? {},
    mode: { kind: "retry", stored: log } as const,
  };
  const plan = planOf(pipeline, fields, { cwd, env, stop: intent.stop });
  plan.secretValues = masked.secretValues ?? [];
  const at = (mapVariable: string | undefined) => resolveStep(pipeline.graph, log, intent.step.replaceAll("%", " "), parseMapVariable(mapVariable));
  const step = at(intent.mapVariable);
  const run = createRunState(plan, services, await services.codeIdentity());
  return { run, step, capabilities: services.executor.capabilities, dispose: composed.dispose, forMapVariable: at };
}

/** The first step process of a run creates its log; one that loses the race reads the winner's. */
async function createFirst(store: RunLogStore, runId: string, runConfig: RunConfig, parameters: Parameters): Promise<RunLog> {
  try {
    await store.create({
      run_id: runId,
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
  return store.get(runId);
}
