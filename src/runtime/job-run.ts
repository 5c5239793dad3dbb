import type { RunConfig, RunLog, StepLog } from "../core/run-log.js";
import { buildGraph } from "../definition/build-graph.js";
import { serialiseGraph } from "../definition/serialise.js";
import type { Services } from "../engine/services.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import { serviceRecord } from "./compose-services.js";
import type { PipelineSource } from "./load-pipeline-source.js";

// A job (runnable 0.50's PythonJob, ShellJob, NotebookJob; the TypeScript SDK's job()) is one task run
// on its own. The engine runs it as a graph of that one task (`job` → success), so a job gets exactly
// what a pipeline's task gets (attempts, retries, catalog, returns, secrets, metrics, execution log);
// the record is 0.50's: the task's log is the run's `job`, its `steps` stay empty, and `run_config`
// carries 0.50's job keys beside this project's own.

/** The name of the one task of a job's graph (0.50 names its execution log `job`). */
export const JOB_STEP = "job";

/** What a job records of itself in `run_config`, beside the run's own keys (runnable 0.50's JobContext). */
export interface JobRecord {
  /** How the job was defined: `module.function` that builds it (0.50's `job_definition_file`), or a file. */
  definitionFile: string;
  /** 0.50's `execution_mode`: `python` (an SDK script), `yaml`. */
  executionMode: string;
  /** The task as 0.50 dumps it (`task_type`, `command`, `returns`, `secrets`, ...). */
  task: Record<string, unknown>;
  /** The catalog's `put` patterns (0.50's `catalog_settings`). */
  catalogSettings: string[];
  /** 0.50's `catalog_store_copy`. */
  storeCopy: boolean;
}

/** A job to run: its task as a YAML task mapping (`command_type`, `command`, `catalog`, `returns`, `secrets`, ...) and its record. */
export interface JobSpec {
  task: Record<string, unknown>;
  record: JobRecord;
}

/** The one-task graph of a job as a pipeline source (runnable records `dag_hash: ""` for jobs). */
export function jobPipelineSource(spec: JobSpec, cwd: string, name: string): PipelineSource {
  const step = { ...spec.task, type: "task", next: "success" };
  const graph = buildGraph({ start_at: JOB_STEP, steps: { [JOB_STEP]: step } }, { baseDir: cwd, cwd });
  return { kind: "graph", graph, serialised: serialiseGraph(graph), name, file: null, dagHash: "", job: spec.record };
}

/** A job's run as the engine sees it: its job log as the one step of its graph. */
export function asGraphRun(run: RunLog): RunLog {
  return run.job ? { ...run, steps: { [JOB_STEP]: run.job } } : run;
}

/**
 * The store a job's run is written through: the task's step log becomes the run's `job` (0.50's
 * record), the terminal step is not recorded (0.50 has none), and reads give the job back as the
 * graph's step (what a retry and a launched step read).
 */
export function jobRecordStore(store: RunLogStore): RunLogStore {
  return {
    ...store,
    get: async (runId) => asGraphRun(await store.get(runId)),
    putStep: async (runId, location, step, seq) => {
      if (location.length > 0) return store.putStep(runId, location, step, seq);
      if (step.internal_name === JOB_STEP) return store.setJob(runId, asJobLog(step));
    },
    removeStep: async (runId, location, internalName) => {
      if (location.length > 0 || internalName !== JOB_STEP) return store.removeStep(runId, location, internalName);
    },
  };
}

/**
 * A job log with runnable 0.50's attempt fields beside this project's (`input_parameters`,
 * `output_parameters`, `user_defined_metrics` of the attempt, `retry_indicator`, `code_identities`).
 */
function asJobLog(step: StepLog): StepLog {
  const last = step.attempts.length - 1;
  const attempts = step.attempts.map((attempt, index) => {
    const ended = index === last && attempt.status === "SUCCESS";
    return {
      ...attempt,
      input_parameters: attempt.parameters,
      output_parameters: ended ? (step.output_parameters ?? {}) : {},
      user_defined_metrics: attempt.user_defined_metrics ?? (ended ? step.user_defined_metrics : {}),
      retry_indicator: "",
      code_identities: [],
    };
  });
  return { ...step, attempts };
}

/** The services of a job's run: the same, written through {@link jobRecordStore}. */
export function jobServices(services: Services): Services {
  return { ...services, runLogStore: jobRecordStore(services.runLogStore) };
}

/** True for a stored run of a job. */
export function isJobRun(run: Pick<RunLog, "job" | "run_config">): boolean {
  return run.job !== undefined || typeof run.run_config["job_definition_file"] === "string";
}

/** `run_config` of a job: the run's own keys plus runnable 0.50's (`job_executor`, `job_definition_file`, `job`, ...). */
export function jobRunConfig(runConfig: RunConfig, services: Services, record: JobRecord, retry: boolean): RunConfig {
  return {
    ...runConfig,
    execution_plan: "job",
    execution_mode: record.executionMode,
    job_executor: { ...serviceRecord("executor", services.executor), service_type: "job_executor" },
    catalog: serviceRecord("catalog", services.catalog),
    secrets: serviceRecord("secrets", services.secrets),
    job_definition_file: record.definitionFile,
    catalog_store_copy: record.storeCopy,
    retry_indicator: "",
    is_retry: retry,
    job: record.task,
    catalog_settings: record.catalogSettings,
  };
}

/** The record of a stored job run (from its `run_config`), to run it again or retry it. */
export function storedJobRecord(runConfig: RunConfig): JobRecord {
  const text = (key: string, fallback: string) => (typeof runConfig[key] === "string" ? (runConfig[key] as string) : fallback);
  const task = runConfig["job"];
  const settings = runConfig["catalog_settings"];
  return {
    definitionFile: text("job_definition_file", ""),
    executionMode: text("execution_mode", "python"),
    task: task && typeof task === "object" ? (task as Record<string, unknown>) : {},
    catalogSettings: Array.isArray(settings) ? settings.filter((s): s is string => typeof s === "string") : [],
    storeCopy: runConfig["catalog_store_copy"] !== false,
  };
}

/** A stored job's graph, from its `run_config.dag` (a job is self-contained: no file is read again). */
export function storedJobSource(stored: RunLog, cwd: string): PipelineSource {
  const serialised = stored.run_config.dag;
  const graph = buildGraph(serialised, { baseDir: cwd, cwd });
  const name = typeof serialised["name"] === "string" ? serialised["name"] : JOB_STEP;
  return { kind: "graph", graph, serialised, name, file: null, dagHash: "", job: storedJobRecord(stored.run_config) };
}

/** The job log a read run holds (for callers that show runs). */
export function jobLogOf(run: RunLog): StepLog | undefined {
  return run.job;
}
