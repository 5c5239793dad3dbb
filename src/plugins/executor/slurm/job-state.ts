// Slurm's view of a job, as `squeue` prints it, and what a step's record says about how its job ended.

/** The `squeue -O` fields one look at the run's jobs asks for (one line per job or array task, `|`-separated). */
export const SQUEUE_FORMAT = "JobArrayID:|,State:|,Reason:|,exit_code:|";

/** One job or array task as `squeue` shows it. */
export interface JobRecord {
  /** The job's id (an array task's array job id). */
  jobId: string;
  /** The array task's index, or undefined for a plain job. */
  task?: number;
  state: string;
  reason: string;
  /** The raw wait status (`exit code << 8`, or the signal in the low bits). */
  waitStatus: number;
}

/** States after which a job never runs again. */
export const FINAL_STATES: ReadonlySet<string> = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "PREEMPTED",
  "OUT_OF_MEMORY",
  "BOOT_FAIL",
  "DEADLINE",
  "SPECIAL_EXIT",
  "REVOKED",
]);

/** Parses the lines of `squeue -h -r --states=all -O <SQUEUE_FORMAT>`; lines of another shape are skipped. */
export function parseSqueue(text: string): JobRecord[] {
  const records: JobRecord[] = [];
  for (const line of text.split("\n")) {
    const [id = "", state = "", reason = "", exit = ""] = line.trim().split("|");
    const match = /^(\d+)(?:_(\d+))?$/.exec(id.trim());
    if (!match || !state) continue;
    const record: JobRecord = { jobId: match[1]!, state: state.trim().split(/\s/)[0]!, reason: reason.trim(), waitStatus: Number(exit.trim()) || 0 };
    if (match[2] !== undefined) record.task = Number(match[2]);
    records.push(record);
  }
  return records;
}

/** The exit code and signal of a raw wait status. */
export function exitOf(waitStatus: number): { code: number; signal: number } {
  return { code: (waitStatus >> 8) & 0xff, signal: waitStatus & 0x7f };
}

/** A job's display id: `12` or `12_3`. */
export const jobLabel = (record: Pick<JobRecord, "jobId" | "task">): string => (record.task === undefined ? record.jobId : `${record.jobId}_${record.task}`);

const reasonNote = (record: JobRecord): string =>
  record.reason && !["None", "NonZeroExitCode", "TimeLimit"].includes(record.reason) ? ` (${record.reason})` : "";

/** What the job asked for, for the messages of a job Slurm ended (its time limit, its memory). */
export interface JobRequest {
  timeMinutes?: number;
  mem?: string;
}

/**
 * How Slurm says it ended a job, when Slurm (or someone through it) ended it: the step's failed attempt
 * records this instead of the stop signal its process saw. Undefined for jobs that ended by themselves.
 */
export function slurmEnding(record: JobRecord, request: JobRequest): string | undefined {
  const job = `Slurm job ${jobLabel(record)} ${record.state}`;
  switch (record.state) {
    case "TIMEOUT": {
      const limit =
        request.timeMinutes === undefined
          ? ""
          : ` of ${request.timeMinutes === 1 ? "1 minute" : `${request.timeMinutes} minutes`} (--time=${request.timeMinutes})`;
      return `${job}: killed at its time limit${limit}`;
    }
    case "OUT_OF_MEMORY":
      return `${job}: killed for using more memory than it asked for${request.mem ? ` (--mem=${request.mem})` : ""}`;
    case "PREEMPTED":
      return `${job}: preempted by a job of higher priority${reasonNote(record)}`;
    case "NODE_FAIL":
      return `${job}: the node running it failed${reasonNote(record)}`;
    case "BOOT_FAIL":
      return `${job}: its node could not be started${reasonNote(record)}`;
    case "DEADLINE":
      return `${job}: it reached its deadline${reasonNote(record)}`;
    case "CANCELLED":
      return `${job}: cancelled outside this run (scancel, or an administrator)${reasonNote(record)}`;
    case "REVOKED":
      return `${job}: revoked (it ran on another cluster of a federation)`;
    default:
      return undefined;
  }
}

/** Why a job's step has no record: how the job ended, with the last lines of its error output. */
export function lostJobProblem(record: JobRecord, errorTail: string): string {
  const { code, signal } = exitOf(record.waitStatus);
  const how = signal ? `killed by signal ${signal}` : `exit code ${code}`;
  const tail = errorTail.trim() ? `: ${errorTail.trim().split("\n").slice(-5).join(" | ")}` : "";
  return `Slurm job ${jobLabel(record)} ended ${record.state} (${how}${reasonNote(record)}) before the step recorded its result${tail}`;
}
