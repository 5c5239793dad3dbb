import { RunnableError } from "../core/errors.js";
import type { Graph } from "../core/graph.js";
import { RUN_ID_HINT, validateRunId } from "../core/run-id.js";
import type { RunLog } from "../core/run-log.js";
import type { ResolvedStep } from "../engine/resolve-step.js";
import type { RunState } from "../engine/run-state.js";
import type { RunEvent, RunPlan, RunStop, Services } from "../engine/services.js";
import type { ExecutorCapabilities } from "../ports/executor.js";
import { type ComposedRun, baseOptions, checkBeforeRun, composeRun } from "./compose-run.js";
import { withEnvironmentInputs } from "./environment-inputs.js";
import { checkParametersFitEnvironment } from "./environment-limits.js";
import { initialParameters } from "./initial-parameters.js";
import { isJobRun, jobRunConfig, jobServices } from "./job-run.js";
import { type PipelineSource, loadSource, resolveSource } from "./load-pipeline-source.js";
import { composeForRetry, prepareRetry, prepareStep, storedStepRun } from "./prepare-stored.js";
import type { Registry } from "./registry.js";
import { buildRunConfig, chooseRunId, originalRun, planOf } from "./run-records.js";

/** What every preparation takes besides its intent: where, with which services config, how it reports and stops. */
export interface PrepareOptions {
  configFile?: string;
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

/** A new run, or a re-run of an earlier one (`useCached`): `runnable execute`, `pipeline.execute()`. */
export interface ExecuteIntent extends PrepareOptions {
  kind: "execute";
  source: PipelineSource;
  parametersFile?: string;
  runId?: string;
  tag?: string;
  /** Re-run: skip what succeeded in this earlier run (runnable's `--use-cached`). */
  useCached?: string;
  /** `run_config.execution_plan` (default `chained`; runnable's single jobs are `unchained`). */
  executionPlan?: string;
}

/** The continuation of a stored run under its own id: `runnable retry`, `pipeline.retry()`. */
export interface RetryIntent extends PrepareOptions {
  kind: "retry";
  runId: string;
  /** Pipeline file; default: the run's `run_config.pipeline_file`. */
  file?: string;
  /** A pipeline built in code (`pipeline.retry()`); wins over `file`. */
  source?: PipelineSource;
  /** Initial parameters file; default: what the run started with. */
  parametersFile?: string;
  /** The retry's tag (tasks get it as RUNNABLE_RUN_TAG); default: the run's own. */
  tag?: string;
}

/** One step of a run in a process of its own: `runnable execute-single-node`, `runnable fan`. */
export interface StepIntent extends PrepareOptions {
  kind: "step";
  runId: string;
  /** Internal name of the step: dot path, map placeholders unresolved, `%` for spaces (runnable's command-friendly form). */
  step: string;
  /** The enclosing maps' items, outermost first (runnable's `--map-variable` JSON object). */
  mapVariable?: string;
  /** Pipeline file; default: the run's `run_config.pipeline_file`. */
  file?: string;
  /** Initial parameters file, used when this step creates the run log. */
  parametersFile?: string;
  tag?: string;
}

/** Every check `execute` makes before a run starts, nothing written: `runnable validate`. */
export interface ValidateIntent extends PrepareOptions {
  kind: "validate";
  source: PipelineSource;
  parametersFile?: string;
  runId?: string;
}

/** What a caller wants prepared. */
export type RunIntent = ExecuteIntent | RetryIntent | StepIntent | ValidateIntent;

/** A run ready to go; `dispose` must be called when it ended (it stops helper processes). */
export interface PreparedRun {
  plan: RunPlan;
  services: Services;
  dispose(): Promise<void>;
}

/** A step ready to run in this process; `dispose` must be called when it is done. */
export interface PreparedStep {
  run: RunState;
  step: ResolvedStep;
  /** What the executor of the config supports (one attempt per process when it retries by relaunch). */
  capabilities: ExecutorCapabilities;
  /**
   * The same step for other items of its maps (runnable's `--map-variable` JSON), found in the run as it
   * was read for this preparation: a process that runs several items of a map step one after another.
   */
  forMapVariable(mapVariable: string): ResolvedStep;
  dispose(): Promise<void>;
}

/** A run that would start (every check passed; nothing was written, nothing is left open). */
export interface ValidatedRun {
  graph: Graph;
}

/** What {@link prepare} resolves with for each intent. */
export type Prepared<I extends RunIntent> = I extends StepIntent ? PreparedStep : I extends ValidateIntent ? ValidatedRun : PreparedRun;

/** What every preparation has once the services are composed (once per run). */
export interface RunContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  warn: (message: string) => void;
  composed: ComposedRun;
  /** The pipeline given (a module already imported), for execute and validate. */
  source?: PipelineSource;
  /** The run as stored, for retry and for a step of a run that exists. */
  stored?: RunLog;
}

/**
 * Prepares what a caller wants — a new run, a retry, one step, or only the checks — in one way: the
 * services are composed once (a retry reads its run's config first), the pipeline is loaded and every
 * check made before anything is written; the run id, `run_config`, initial parameters and stop
 * controls are decided here (with runnable 0.50's environment inputs where the caller gave none). Any
 * problem is a RunnableError, and nothing has been written.
 */
export async function prepare<I extends RunIntent>(given: I): Promise<Prepared<I>> {
  const base = baseOptions(given);
  // runnable 0.50's RUNNABLE_RUN_ID, RUNNABLE_PARAMETERS_FILE and RUNNABLE_RETRY_RUN_ID (an execute may become a retry).
  const intent = withEnvironmentInputs(given, base.env, base.warn);
  const context = await openRun(intent);
  let prepared: PreparedRun | PreparedStep | ValidatedRun;
  try {
    prepared = await prepareFor(intent, context);
  } catch (error) {
    await context.composed.dispose();
    throw error;
  }
  // Validation keeps nothing open; the others are disposed by whoever runs them.
  if (intent.kind === "validate") await context.composed.dispose();
  return prepared as Prepared<I>;
}

function prepareFor(intent: RunIntent, context: RunContext): Promise<PreparedRun | PreparedStep | ValidatedRun> {
  switch (intent.kind) {
    case "execute":
      return prepareExecute(intent, context);
    case "retry":
      return prepareRetry(intent, context);
    case "step":
      return prepareStep(intent, context);
    case "validate":
      return checkValidate(intent, context).then((graph) => ({ graph }));
  }
}

/** Composes the run's services (once) and finds what the intent starts from. */
async function openRun(intent: RunIntent): Promise<RunContext> {
  const base = baseOptions(intent);
  if (intent.kind === "retry") return { ...base, ...(await composeForRetry(intent, base)) };
  // A pipeline module is imported before the services are composed: its mistakes come first.
  const source = intent.kind === "step" ? undefined : await resolveSource(intent.source, base.cwd);
  const composed = await composeRun({ ...intent, ...base, job: source?.kind === "graph" && source.job !== undefined });
  if (intent.kind !== "step") return { ...base, composed, ...(source ? { source } : {}) };
  let stored: RunLog | undefined;
  try {
    stored = await storedStepRun(composed.services.runLogStore, intent.runId);
  } catch (error) {
    await composed.dispose();
    throw error;
  }
  if (!stored || !isJobRun(stored)) return { ...base, composed, ...(stored ? { stored } : {}) };
  // A job's step runs with the job's services (the config's job-executor).
  await composed.dispose();
  return { ...base, composed: await composeRun({ ...intent, ...base, job: true }), stored };
}

async function prepareExecute(intent: ExecuteIntent, context: RunContext): Promise<PreparedRun> {
  const { cwd, env, composed } = context;
  // git's identity of the code (three git processes) is read while the pipeline loads and is checked.
  composed.services.codeIdentity().catch(() => {});
  const pipeline = await loadSource(context.source ?? intent.source, cwd);
  await checkBeforeRun(pipeline.graph, composed, cwd);
  const { runLogStore, catalog } = composed.services;
  const original = intent.useCached === undefined ? undefined : await originalRun(runLogStore, intent.useCached);
  const initial = await initialParameters(intent.parametersFile, env, cwd);
  checkParametersFitEnvironment(pipeline.graph, composed.runners, initial);
  const runId = await chooseRunId(intent.runId, runLogStore, catalog);
  const tag = intent.tag ?? "";
  const services = pipeline.job ? jobServices(composed.services) : composed.services;
  const built = buildRunConfig(services, composed.config, pipeline, { runId, tag, parametersFile: intent.parametersFile, original });
  const runConfig = pipeline.job ? jobRunConfig(built, services, pipeline.job, false) : built;
  if (intent.executionPlan) runConfig.execution_plan = intent.executionPlan;
  const plan = planOf(
    pipeline,
    {
      runId,
      tag,
      runConfig,
      // A re-run starts from the original's final parameters over the initial ones (runnable §8.6).
      initialParameters: original ? { ...initial, ...original.parameters } : initial,
      initialKinds: original?.parameter_kinds,
      mode: original ? { kind: "cached", original } : { kind: "new" },
    },
    { cwd, env, stop: intent.stop, signal: intent.signal },
  );
  if (pipeline.job) plan.recordsGraph = true;
  return { plan, services, dispose: composed.dispose };
}

/** The checks of `execute` before a run starts (the pipeline, services, tasks, folders, parameters, run id), nothing written. */
async function checkValidate(intent: ValidateIntent, context: RunContext): Promise<Graph> {
  const { cwd, env, composed } = context;
  const pipeline = await loadSource(context.source ?? intent.source, cwd);
  await checkBeforeRun(pipeline.graph, composed, cwd);
  checkParametersFitEnvironment(pipeline.graph, composed.runners, await initialParameters(intent.parametersFile, env, cwd));
  const problem = intent.runId === undefined ? undefined : validateRunId(intent.runId);
  if (problem) throw new RunnableError("CLI_USAGE", `invalid run id "${intent.runId}": ${problem}`, { hint: RUN_ID_HINT });
  return pipeline.graph;
}
