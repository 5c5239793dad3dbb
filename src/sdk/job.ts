import { RunnableError } from "../core/errors.js";
import type { RunLog } from "../core/run-log.js";
import { runPrepared } from "../runtime/execute.js";
import type { JobRecord } from "../runtime/job-run.js";
import type { PipelineSource } from "../runtime/load-pipeline-source.js";
import { type PreparedRun, prepare } from "../runtime/prepare.js";
import { checkOptions } from "./options.js";
import { type ExecuteOptions, type RetryPipelineOptions, pipeline } from "./pipeline.js";
import type { Step } from "./steps.js";

/** The name a job's task runs under (runnable 0.50 names a job's execution log `job`). */
const JOB_STEP = "job";

/** One task run on its own with a pipeline task's record (runnable 0.50's PythonJob, ShellJob, NotebookJob). */
export interface Job {
  /** The job's task (its name is always `job`). */
  readonly task: Step;
  /** The job as a run source (a one-task graph recorded as a job). */
  source(): PipelineSource;
  /** Runs the job with the config's `job-executor` and resolves with its run log (0.50's shape: `job`, empty `steps`). */
  execute(options?: Omit<ExecuteOptions, "useCached">): Promise<RunLog>;
  /** Continues a failed or stopped run of this job under its own id. */
  retry(runId: string, options?: RetryPipelineOptions): Promise<RunLog>;
}

/**
 * A job of one task step: `job(typescript({ name: "train", function: train }))`, `job(shell({ name: "x",
 * command: "make" }))`, `job(notebook({ name: "report", notebook: "report.ipynb" }))`. As in runnable
 * 0.50, a job's catalog only puts files; `definition` is what the run records as `job_definition_file`.
 */
export function job(task: Step, options: { definition?: string } = {}): Job {
  checkOptions("job()", options, ["definition"]);
  if (task.kind !== "task") throw new RunnableError("PIPELINE_INVALID", `job(): a job runs one task step, got a ${task.kind} step`);
  const { next, onFailure, terminateWith, ...rest } = task.options;
  if (next !== undefined || onFailure !== undefined || terminateWith !== undefined) {
    throw new RunnableError(
      "PIPELINE_INVALID",
      `job(): the task of a job has no next, onFailure or terminateWith (a job is one task, not a step of a pipeline)`,
    );
  }
  if ((rest.catalog?.get ?? []).length > 0) {
    throw new RunnableError("PIPELINE_INVALID", "job(): Catalog get is not supported for jobs: a job only puts files into the catalog", {
      hint: "remove catalog.get (a job's files come from its working directory)",
    });
  }
  const step: Step = { kind: "task", options: { ...rest, name: JOB_STEP } };
  const record: JobRecord = {
    definitionFile: options.definition ?? rest.name,
    executionMode: rest.commandType,
    task: {
      task_type: rest.commandType,
      command: rest.command,
      secrets: rest.secrets ?? [],
      returns: (rest.returns ?? []).map((entry) => (typeof entry === "string" ? { name: entry, kind: "json" } : { name: entry.name, kind: entry.kind })),
      internal_branch_name: "",
    },
    catalogSettings: rest.catalog?.put ?? [],
    storeCopy: true,
  };
  const built = pipeline({ name: JOB_STEP, steps: [step] });
  const self: Job = {
    task: step,
    source: () => ({ ...(built.source() as Extract<PipelineSource, { kind: "graph" }>), dagHash: "", job: record }),
    execute: async (given = {}) => {
      const { throwOnFailure = true, progress: _progress, ...run } = given;
      return finished(await prepare({ ...run, kind: "execute", source: self.source() }), throwOnFailure);
    },
    retry: async (runId, given = {}) => {
      const { throwOnFailure = true, progress: _progress, ...run } = given;
      return finished(await prepare({ ...run, kind: "retry", runId, source: self.source() }), throwOnFailure);
    },
  };
  return self;
}

/** Runs a prepared job and reads its record (0.50's: the job log, steps empty). */
async function finished(prepared: PreparedRun, throwOnFailure: boolean): Promise<RunLog> {
  const result = await runPrepared(prepared);
  const read = await prepared.services.runLogStore.get(result.runId);
  const runLog = read.job ? { ...read, steps: {} } : read;
  if (throwOnFailure && runLog.status !== "SUCCESS") {
    throw Object.assign(new RunnableError("RUN_FAILED", `job run ${result.runId} failed`), { runLog });
  }
  return runLog;
}
