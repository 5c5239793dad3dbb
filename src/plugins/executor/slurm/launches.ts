import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { messageOf } from "../../../core/errors.js";
import type { RemoteStep, RemoteStepResult } from "../../../ports/executor.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { cancelJob, type JobWaiter, type TrackerState, track } from "./job-tracker.js";
import { jobStem, recordedJobs, recordJob, runFolder, writeJobFiles } from "./run-folder.js";
import { jobEnvironment, type StepJob, stepSbatchArgs, stepScript } from "./sbatch.js";
import type { SlurmConfig } from "./schema.js";
import { type JobSettings, jobSettingsFor, settingsKey, timeLimitMinutes } from "./settings.js";
import { cancel, lookUp, submit } from "./slurm-commands.js";
import { FINAL_STATES } from "./job-state.js";

// Steps the engine launches are gathered for a moment before they are submitted: the items of a map
// reach the same step at nearly the same time, and those asking for the same resources become one job
// array (each array task running `items_per_array_task` items) instead of one job each.

/** How long launches are gathered after the last one came (ms), and at most after the first. */
const GATHER_MS = 25;
const GATHER_MAX_MS = 250;

/** A step waiting to be submitted. */
interface Launch {
  step: RemoteStep;
  settings: JobSettings;
  resolve(result: RemoteStepResult): void;
}

/** The host side of the executor: its config, the run's commands and tracker, and the launches being gathered. */
export interface LaunchState {
  readonly config: SlurmConfig;
  readonly context: PluginContext;
  readonly tracker: TrackerState;
  readonly runnable: readonly string[];
  pending: Launch[];
  timer: NodeJS.Timeout | undefined;
  firstAt: number;
  /** Per run: the check for jobs an earlier process of the run left behind (done once, before its first submission). */
  readonly leftovers: Map<string, Promise<void>>;
}

/** Launches a task step as a batch job (maybe one task of an array); resolves when the job ended. */
export async function launch(state: LaunchState, step: RemoteStep): Promise<RemoteStepResult> {
  if (!step.pipelineFile) {
    return {
      exitCode: 1,
      problem: "a Slurm step reads the pipeline from its file, which pipelines built in code have none of: run it with `runnable execute -f <file>`",
    };
  }
  await clearLeftovers(state, step);
  return new Promise((resolve) => {
    state.pending.push({ step, settings: jobSettingsFor(step.node, state.config), resolve });
    const now = Date.now();
    if (state.pending.length === 1) state.firstAt = now;
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => void flush(state), Math.max(0, Math.min(GATHER_MS, state.firstAt + GATHER_MAX_MS - now)));
  });
}

/** Submits what was gathered: one job per step, one array per step of a map whose items ask for the same. */
async function flush(state: LaunchState): Promise<void> {
  state.timer = undefined;
  const launches = state.pending;
  state.pending = [];
  const groups = new Map<string, Launch[]>();
  for (const item of launches) {
    if (item.step.signal.aborted) {
      item.resolve({ exitCode: 1, problem: "not submitted: the run was stopped" });
      continue;
    }
    const key = JSON.stringify([item.step.runId, item.step.node.internalName, item.step.mapVariable.length > 0, settingsKey(item.settings)]);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  await Promise.all([...groups.values()].map((group) => submitGroup(state, group)));
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let at = 0; at < items.length; at += size) chunks.push(items.slice(at, at + size));
  return chunks;
}

/** Submits a group of launches of one step: one job, or arrays of at most `max_array_tasks` tasks for several map items. */
async function submitGroup(state: LaunchState, group: Launch[]): Promise<void> {
  if (group.length === 1) return submitJob(state, group, [group]);
  const chunks = chunksOf(group, state.config.items_per_array_task);
  const arrays = chunksOf(chunks, state.config.max_array_tasks);
  await Promise.all(arrays.map((tasks) => submitJob(state, tasks.flat(), tasks)));
}

/** Submits one job for launches of one step (an array task per chunk when they are map items) and watches it. */
async function submitJob(state: LaunchState, group: Launch[], chunks: Launch[][]): Promise<void> {
  const { step, settings } = group[0]!;
  const folder = runFolder(state.config, step.cwd, step.runId);
  const stem = jobStem(step.node.internalName);
  const array = group.length > 1;
  try {
    const itemsFile = array ? chunks.map((chunk) => chunk.map((item) => Object.fromEntries(item.step.mapVariable))) : undefined;
    const job: StepJob = {
      runId: step.runId,
      internalName: step.node.internalName,
      items: array ? { kind: "chunks", file: join(folder, `${stem}.items.json`), count: chunks.length } : { kind: "one", mapVariable: step.mapVariable },
      pipelineFile: step.pipelineFile!,
      configFile: step.configFile,
      parametersFile: step.parametersFile,
      tag: step.tag,
      runnable: state.runnable,
      settings,
      jobName: `${state.config.job_name_prefix}${step.runId}`,
      workdir: workdirOf(state, step),
      output: join(folder, array ? `${stem}.%a.out` : `${stem}.out`),
      error: join(folder, array ? `${stem}.%a.err` : `${stem}.err`),
      ...(state.config.max_parallel ? { maxParallel: state.config.max_parallel } : {}),
      shell: state.config.shell,
    };
    const files = await writeJobFiles(folder, stem, stepScript(job), itemsFile);
    const env = jobEnvironment(state.context.env, settings.environment, true);
    const jobId = await submit(state.tracker.slurm, stepSbatchArgs(job, files.script), env);
    await recordJob(folder, { job: jobId, kind: "step", step: step.node.internalName });
    watch(state, { jobId, folder, stem, array, chunks, settings });
  } catch (error) {
    for (const item of group) item.resolve({ exitCode: 1, problem: `the step's job was not submitted: ${messageOf(error)}` });
  }
}

/** Where the step's jobs run: the configured working directory, else the run's (the same path on every node). */
export function workdirOf(state: Pick<LaunchState, "config">, step: Pick<RemoteStep, "cwd">): string {
  return resolve(step.cwd, state.config.working_directory ?? ".");
}

/** Tracks a submitted job; each launch is told when its (array) task ends, and cancels the job if the run stops. */
function watch(state: LaunchState, job: { jobId: string; folder: string; stem: string; array: boolean; chunks: Launch[][]; settings: JobSettings }): void {
  const waiterOf = (item: Launch): JobWaiter => {
    const stop = (): void => cancelJob(state.tracker, job.jobId);
    item.step.signal.addEventListener("abort", stop, { once: true });
    return {
      chunked: job.array,
      output: item.step.output,
      resolve: (result) => {
        item.step.signal.removeEventListener("abort", stop);
        item.resolve(result);
      },
    };
  };
  const tasks = job.chunks.map((chunk, index) => {
    const name = job.array ? `${job.stem}.${index}` : job.stem;
    return { task: job.array ? index : -1, waiters: chunk.map(waiterOf), stdout: join(job.folder, `${name}.out`), stderr: join(job.folder, `${name}.err`) };
  });
  const { maxStepDurationSeconds, mem } = job.settings;
  track(state.tracker, {
    jobId: job.jobId,
    request: { ...(maxStepDurationSeconds ? { timeMinutes: timeLimitMinutes(maxStepDurationSeconds) } : {}), ...(mem ? { mem } : {}) },
    tasks,
  });
  if (job.chunks.some((chunk) => chunk.some((item) => item.step.signal.aborted))) cancelJob(state.tracker, job.jobId);
}

/**
 * Before a process submits the first job of a run: jobs an earlier process of the run left running (a
 * killed CLI, a lost driver) are cancelled, and their ends awaited, so that the steps they ran record
 * themselves before this walk runs those steps again.
 */
function clearLeftovers(state: LaunchState, step: RemoteStep): Promise<void> {
  let found = state.leftovers.get(step.runId);
  if (!found) {
    found = cancelLeftovers(state, runFolder(state.config, step.cwd, step.runId)).catch((error: unknown) =>
      state.context.warn(`executor slurm: could not check for jobs left by an earlier process of run ${step.runId}: ${messageOf(error)}`),
    );
    state.leftovers.set(step.runId, found);
  }
  return found;
}

async function cancelLeftovers(state: LaunchState, folder: string): Promise<void> {
  const own = new Set(state.context.env["SLURM_JOB_ID"] ? [state.context.env["SLURM_JOB_ID"]] : []);
  const ids = [...new Set((await recordedJobs(folder)).filter((entry) => entry.kind === "step" && !own.has(entry.job)).map((entry) => entry.job))];
  const slurm = state.tracker.slurm;
  let alive = ((await lookUp(slurm, ids)) ?? []).filter((record) => !FINAL_STATES.has(record.state));
  if (alive.length === 0) return;
  const jobs = [...new Set(alive.map((record) => record.jobId))];
  state.context.warn(`executor slurm: cancelling ${jobs.length} job(s) an earlier process of this run left behind (${jobs.join(", ")}); their steps run again`);
  await cancel(slurm, jobs);
  for (let waited = 0; alive.length > 0 && waited < 120_000; waited += 200) {
    await sleep(200);
    alive = ((await lookUp(slurm, jobs)) ?? alive).filter((record) => !FINAL_STATES.has(record.state));
  }
}
