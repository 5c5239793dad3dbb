import { open } from "node:fs/promises";
import { messageOf } from "../../../core/errors.js";
import type { RemoteStepResult } from "../../../ports/executor.js";
import type { OutputSink } from "../../../ports/task-runner.js";
import { exitOf, FINAL_STATES, type JobRecord, type JobRequest, jobLabel, lostJobProblem, slurmEnding } from "./job-state.js";
import { cancel, lookUp, type SlurmCommands } from "./slurm-commands.js";

// The run's jobs, watched with one `squeue` per look for all of them: looks start `minMs` apart and back
// off to `maxMs` while nothing changes. Each job's output files are read as they grow (the step's live
// output); when a job (an array task) ends, the steps waiting on it are told how it ended.

/** A step (or map item) waiting for its job to end. */
export interface JobWaiter {
  resolve(result: RemoteStepResult): void;
  /** One of several items an array task runs in turn: its exit code 1 says an item failed, which the items' records tell. */
  chunked: boolean;
  output: OutputSink;
}

/** A plain job (task -1) or one array task. */
interface TrackedTask {
  waiters: JobWaiter[];
  /** Its stdout and stderr files, and how much of each was passed on. */
  files: { stdout: string; stderr: string };
  offsets: { stdout: number; stderr: number };
  state?: string;
  done: boolean;
}

/** A submitted job and the steps waiting on it. */
interface TrackedJob {
  jobId: string;
  tasks: Map<number, TrackedTask>;
  request: JobRequest;
  submittedAt: number;
  /** Looks in a row that did not list it. */
  misses: number;
}

/** What is needed to watch a job: its id, what it asked for (for messages), and per task its waiters and files. */
export interface JobToTrack {
  jobId: string;
  request: JobRequest;
  /** Per array task (-1 for a plain job): the steps waiting, and its output files. */
  tasks: ReadonlyArray<{ task: number; waiters: JobWaiter[]; stdout: string; stderr: string }>;
}

/** The tracker's state: the jobs, the look schedule, and what is to be cancelled. */
export interface TrackerState {
  readonly slurm: SlurmCommands;
  readonly minMs: number;
  readonly maxMs: number;
  readonly warn: (message: string) => void;
  readonly jobs: Map<string, TrackedJob>;
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
  looking: boolean;
  /** Looks in a row that squeue did not answer. */
  failures: number;
  toCancel: Set<string>;
  /** Clock (ms), replaceable in tests. */
  now: () => number;
  /** Looks are timed by the tracker (tests make each look themselves). */
  readonly timed: boolean;
}

/** A tracker with nothing to watch yet. */
export function createTracker(slurm: SlurmCommands, options: { minMs: number; maxMs: number; warn: (message: string) => void; timed?: boolean }): TrackerState {
  return {
    slurm,
    timed: true,
    ...options,
    jobs: new Map(),
    delayMs: options.minMs,
    timer: undefined,
    looking: false,
    failures: 0,
    toCancel: new Set(),
    now: Date.now,
  };
}

/** Starts watching a submitted job; the next look comes soon. */
export function track(state: TrackerState, job: JobToTrack): void {
  const tasks = new Map<number, TrackedTask>();
  for (const task of job.tasks) {
    tasks.set(task.task, { waiters: task.waiters, files: { stdout: task.stdout, stderr: task.stderr }, offsets: { stdout: 0, stderr: 0 }, done: false });
  }
  state.jobs.set(job.jobId, { jobId: job.jobId, tasks, request: job.request, submittedAt: state.now(), misses: 0 });
  schedule(state, state.minMs);
}

/** Cancels a job (batched with the other cancellations of this moment); the looks that follow see it end. */
export function cancelJob(state: TrackerState, jobId: string): void {
  if (state.toCancel.size === 0) {
    setImmediate(() => {
      const ids = [...state.toCancel];
      state.toCancel.clear();
      void cancel(state.slurm, ids).catch((error: unknown) => state.warn(`scancel ${ids.join(" ")} failed: ${String(error)}`));
      schedule(state, state.minMs);
    });
  }
  state.toCancel.add(jobId);
}

function schedule(state: TrackerState, delayMs: number): void {
  state.delayMs = delayMs;
  if (state.looking || !state.timed) return;
  if (state.timer) clearTimeout(state.timer);
  state.timer = state.jobs.size > 0 ? setTimeout(() => void look(state), delayMs) : undefined;
}

/** One look at every job of the run; tells the waiters of the jobs that ended; schedules the next look. */
export async function look(state: TrackerState): Promise<void> {
  state.timer = undefined;
  state.looking = true;
  let changed = false;
  try {
    const records = await lookUp(state.slurm, [...state.jobs.keys()]);
    if (!records) {
      if (++state.failures === 10) state.warn("squeue has not answered 10 looks in a row; still waiting for the run's jobs");
    } else {
      state.failures = 0;
      changed = await apply(state, records);
    }
  } catch (error) {
    // A file that cannot be read (output on a lost mount) must not end the watch of the run's jobs.
    state.warn(`looking at the run's jobs failed (${messageOf(error)}); looking again`);
  } finally {
    state.looking = false;
  }
  const next = changed ? state.minMs : Math.min(state.maxMs, Math.max(state.minMs, state.delayMs * 1.5));
  schedule(state, next);
}

async function apply(state: TrackerState, records: readonly JobRecord[]): Promise<boolean> {
  let changed = false;
  const seen = new Set<string>();
  for (const record of records) {
    const job = state.jobs.get(record.jobId);
    const task = job?.tasks.get(record.task ?? -1);
    if (!job || !task || task.done) continue;
    seen.add(job.jobId);
    if (task.state !== record.state) changed = true;
    task.state = record.state;
    if (FINAL_STATES.has(record.state)) await finish(task, record, job.request);
    else if (record.state === "RUNNING") await pass(task);
  }
  for (const job of state.jobs.values()) {
    job.misses = seen.has(job.jobId) ? 0 : job.misses + 1;
    // A job Slurm no longer knows (purged, or lost by a restarted controller), after a grace period for one just submitted.
    if (job.misses >= 5 && state.now() - job.submittedAt > 10_000) {
      for (const task of job.tasks.values()) if (!task.done) await vanished(task, job.jobId);
    }
    if ([...job.tasks.values()].every((task) => task.done)) {
      state.jobs.delete(job.jobId);
      changed = true;
    }
  }
  return changed;
}

/** Passes on what the task's output files gained since the last look (whole lines while it runs; everything at the end). */
async function pass(task: TrackedTask, final = false): Promise<void> {
  for (const stream of ["stdout", "stderr"] as const) {
    for (;;) {
      const text = await readFrom(task.files[stream], task.offsets[stream], final);
      if (!text) break;
      task.offsets[stream] += Buffer.byteLength(text);
      task.waiters[0]?.output.write(stream, text);
    }
  }
}

async function readFrom(file: string, offset: number, final: boolean): Promise<string> {
  const handle = await open(file, "r").catch(() => undefined);
  if (!handle) return "";
  try {
    const { size } = await handle.stat();
    if (size <= offset) return "";
    const buffer = Buffer.alloc(Math.min(size - offset, 4 * 1024 * 1024));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    // Whole lines only (a line being written stays for the next look), unless the job ended.
    const text = buffer.subarray(0, bytesRead).toString("utf8");
    const end = text.lastIndexOf("\n");
    if (final && bytesRead === size - offset) return text;
    return end >= 0 ? text.slice(0, end + 1) : "";
  } finally {
    await handle.close();
  }
}

/** The last few KB of a task's error output (for the message of a step that never recorded itself). */
async function errorTail(task: TrackedTask): Promise<string> {
  const handle = await open(task.files.stderr, "r").catch(() => undefined);
  if (!handle) return "";
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString("utf8");
  } finally {
    await handle.close();
  }
}

/** How an ended job (array task) comes out for each step waiting on it. */
export function resultOf(record: JobRecord, request: JobRequest, chunked: boolean, errors: string): RemoteStepResult {
  const { code, signal } = exitOf(record.waitStatus);
  let exitCode = record.state === "COMPLETED" ? 0 : signal ? 128 + signal : code;
  // An array task running several items exits 1 when one failed: each item's own record tells which.
  if (chunked && record.state === "FAILED" && !signal && code === 1) exitCode = 0;
  const ending = slurmEnding(record, request);
  return { exitCode, problem: lostJobProblem(record, errors), ...(ending ? { ending } : {}) };
}

/** Passes the rest of an ended task's output on; returns the end of its error output ("" when the files cannot be read). */
async function lastOutput(task: TrackedTask): Promise<string> {
  try {
    await pass(task, true);
    return await errorTail(task);
  } catch {
    return "";
  }
}

async function finish(task: TrackedTask, record: JobRecord, request: JobRequest): Promise<void> {
  task.done = true;
  const errors = await lastOutput(task);
  for (const waiter of task.waiters) waiter.resolve(resultOf(record, request, waiter.chunked, errors));
}

async function vanished(task: TrackedTask, jobId: string): Promise<void> {
  task.done = true;
  await lastOutput(task);
  const problem = `Slurm job ${jobLabel({ jobId })} is no longer known to Slurm (purged after it ended, or lost by slurmctld) and the step did not record its result`;
  for (const waiter of task.waiters) waiter.resolve({ exitCode: 0, problem });
}

/** Stops looking (the run ended); jobs still tracked are left to Slurm. */
export function stopTracking(state: TrackerState): void {
  if (state.timer) clearTimeout(state.timer);
  state.timer = undefined;
  state.jobs.clear();
}
