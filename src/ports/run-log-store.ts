import type { BranchLog, LogLocation, Parameters, RunConfig, RunLog, Status, StepLog } from "../core/run-log.js";

/** The run-level fields written when a run starts. */
export type RunHeader = Omit<RunLog, "steps">;

/** A line of `runnable runs list`. */
export interface RunSummary {
  run_id: string;
  status: Status;
  tag: string | null;
  /** Pipeline file or `null` for SDK runs. */
  pipeline_file: string | null;
  /** Epoch milliseconds of the last change, when the store knows it. */
  updated_ms: number | null;
  /** True when the run is PROCESSING but its orchestrator is gone (stores with a lease tell; absent = not stale). */
  stale?: boolean;
}

/** What removing a run gave back. */
export interface Freed {
  /** Bytes of storage released (an estimate for in-memory stores). */
  freedBytes: number;
}

/**
 * Persists run logs. Writes address step and branch logs by location (never by splitting dotted names),
 * so map items containing `.` are safe. Every write is atomic; concurrent writes to one run are safe.
 */
export interface RunLogStore {
  /** The service type, e.g. `file-system`. */
  readonly type: string;
  /** Config fields to record in `run_config.run_log_store`. */
  readonly recordedConfig: Record<string, unknown>;
  /** Creates a run (steps empty). Fails with RUN_EXISTS when the id is taken. */
  create(header: RunHeader): Promise<void>;
  /** True when a run with this id exists. */
  exists(runId: string): Promise<boolean>;
  /** The whole run log, assembled. Fails with RUN_NOT_FOUND. */
  get(runId: string): Promise<RunLog>;
  /** Sets the run status. */
  setStatus(runId: string, status: Status): Promise<void>;
  /** Replaces the run's (final) parameters. */
  setParameters(runId: string, parameters: Parameters): Promise<void>;
  /** Replaces `run_config`. */
  setRunConfig(runId: string, runConfig: RunConfig): Promise<void>;
  /**
   * Creates or replaces a step log in the branch at `location`. The step's own `branches` field is
   * ignored: branches are written with {@link putBranch} and kept when the step is replaced.
   */
  putStep(runId: string, location: LogLocation, step: StepLog): Promise<void>;
  /**
   * Creates or replaces a branch log; `location` ends with the (owning step key, branch key) pair.
   * The branch's `steps` field is ignored (steps are written with {@link putStep}) and kept on replace.
   */
  putBranch(runId: string, location: LogLocation, branch: BranchLog): Promise<void>;
  /** All runs, newest first when the store can tell. */
  list(): Promise<RunSummary[]>;
  /** Removes a run and everything stored for it. Fails with RUN_NOT_FOUND. Callers refuse live runs. */
  delete(runId: string): Promise<Freed>;
  /** Flushes anything pending for a run (e.g. compacts a journal); called when a run ends. */
  flush(runId: string): Promise<void>;
}
