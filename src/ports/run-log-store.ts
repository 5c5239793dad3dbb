import type { ParameterKinds } from "../core/returns.js";
import type { BranchLog, LogLocation, Parameters, RunConfig, RunLog, Status, StepLog } from "../core/run-log.js";

/**
 * What a run log store is, for rules written against traits (never against type names): whether runs
 * outlive this process, how other processes and machines reach them, whether leases tell live runs from
 * dead ones.
 */
export interface RunLogStoreTraits {
  /** Runs outlive this process (false: in memory only, so no `runs list`, re-runs or retries). */
  persistent: boolean;
  /** How other processes reach its runs: not at all, through its folder (mounted or shared), or by connecting to its server. */
  sharing: "none" | "folder" | "server";
  /** Leases tell a live run from a dead one (a held lease is renewed while the run goes). */
  leases: boolean;
  /** For a store on a server: its address as configured, the setting holding it, and the environment variables its credentials come from. */
  server?: { address: string; addressSetting: string; credentialVariables: readonly string[] };
  /** Where its objects live, as one comparable text (server, bucket, prefix), when a catalog could write there too. */
  place?: string;
}

/** The run-level fields written when a run starts. */
export type RunHeader = Omit<RunLog, "steps">;

/**
 * One update of a run log: what the façade hands a {@link RunLogStoreDriver} (and the file-system
 * journal records). A step's `branches` and a branch's `steps` are empty: they are written on their own.
 */
export type RunOp =
  | { op: "status"; location: LogLocation; payload: Status }
  | { op: "parameters"; location: LogLocation; payload: Parameters }
  /** The kinds of the run's non-JSON final parameters (`parameter_kinds`; empty: none). */
  | { op: "parameter_kinds"; location: LogLocation; payload: ParameterKinds }
  | { op: "run_config"; location: LogLocation; payload: RunConfig }
  | { op: "step"; location: LogLocation; payload: StepLog; seq?: number }
  | { op: "branch"; location: LogLocation; payload: BranchLog; seq?: number }
  | { op: "remove"; location: LogLocation; payload: string }
  | { op: "job"; location: LogLocation; payload: StepLog };

/** A line of `runnable runs list`. */
/** Options of `list()`. */
export interface ListOptions {
  /**
   * Summaries the caller got from an earlier `list()`: a store that can tell a run has not changed
   * since (same `updated_ms`) may return the known summary instead of reading the run again. A store
   * that cannot tell ignores it.
   */
  known?: ReadonlyMap<string, RunSummary>;
}

/** What `list()` says of a run. */
export interface RunSummary {
  run_id: string;
  status: Status;
  tag: string | null;
  /** Pipeline file or `null` for SDK runs. */
  pipeline_file: string | null;
  /** Epoch milliseconds of the last change, when the store knows it. */
  updated_ms: number | null;
  /**
   * True when the run is still PROCESSING but the process that ran it is gone (its lease is stale):
   * it will never finish by itself; `runnable retry` continues it.
   */
  stale?: boolean;
}

/** Who holds a run's lease (written by the store; shown in messages). */
export interface LeaseOwner {
  host: string;
  pid: number;
  /** Epoch ms when the lease was taken. */
  since_ms: number;
}

/** What a store knows about a run's lease. */
export type LeaseState =
  /** No lease: the run was never walked by a lease holder (e.g. Argo pods), or it ended. */
  | { state: "none" }
  /** A live process holds it. */
  | { state: "live"; owner: LeaseOwner; age_ms: number }
  /** Its holder died (same host, process gone) or stopped renewing it. */
  | { state: "stale"; owner: LeaseOwner | null; age_ms: number };

/** A held lease: renewed while the run goes, released when it ends. */
export interface RunLease {
  /** Proves the holder is alive; fails with RUN_BUSY when another process took the lease over. */
  renew(): Promise<void>;
  /** Gives the lease up (idempotent). */
  release(): Promise<void>;
}

/** Options of {@link RunLogStore.acquireLease}. */
export interface LeaseOptions {
  /** A lease not renewed for this long is stale (default 30 s). */
  ttlMs?: number;
}

/** What removing a run gave back. */
export interface Freed {
  /** Bytes of storage released (an estimate for in-memory stores). */
  freedBytes: number;
}

/**
 * Persists run logs. Writes address step and branch logs by location (never by splitting dotted names),
 * so map items containing `.` are safe. Every write is atomic; concurrent writes to one run are safe,
 * from several processes and hosts sharing the store. Entries of a steps or branches map are ordered by
 * the `seq` the engine supplies (walk position, item index), never by a process's clock.
 */
export interface RunLogStore {
  /** The service type, e.g. `file-system`. */
  readonly type: string;
  /** Config fields to record in `run_config.run_log_store`. */
  readonly recordedConfig: Record<string, unknown>;
  /** What the store is (see {@link RunLogStoreTraits}). */
  readonly traits: RunLogStoreTraits;
  /** Creates a run (steps empty). Fails with RUN_EXISTS when the id is taken. */
  create(header: RunHeader): Promise<void>;
  /** True when a run with this id exists. */
  exists(runId: string): Promise<boolean>;
  /** The whole run log, assembled. Fails with RUN_NOT_FOUND. */
  get(runId: string): Promise<RunLog>;
  /** Sets the run status. */
  setStatus(runId: string, status: Status): Promise<void>;
  /**
   * Replaces the run's (final) parameters; with `kinds`, also the kinds of the non-JSON ones
   * (`parameter_kinds`, removed when empty). Both are written in one batch.
   */
  setParameters(runId: string, parameters: Parameters, kinds?: ParameterKinds): Promise<void>;
  /** Replaces `run_config`. */
  setRunConfig(runId: string, runConfig: RunConfig): Promise<void>;
  /**
   * Creates or replaces a step log in the branch at `location`. The step's own `branches` field is
   * ignored: branches are written with {@link putBranch} and kept when the step is replaced. `seq`
   * orders the step among its siblings (stores that cannot keep insertion order use it).
   */
  putStep(runId: string, location: LogLocation, step: StepLog, seq?: number): Promise<void>;
  /**
   * Creates or replaces a branch log; `location` ends with the (owning step key, branch key) pair.
   * The branch's `steps` field is ignored (steps are written with {@link putStep}) and kept on replace.
   */
  putBranch(runId: string, location: LogLocation, branch: BranchLog, seq?: number): Promise<void>;
  /** Creates or replaces the run's job log (`job`: runnable 0.50's record of a job, whose `steps` stay empty). */
  setJob(runId: string, job: StepLog): Promise<void>;
  /** Removes a step log (and what it holds) from the branch at `location`; a missing step is fine. */
  removeStep(runId: string, location: LogLocation, internalName: string): Promise<void>;
  /** All runs, newest first when the store can tell (see {@link ListOptions}). */
  list(options?: ListOptions): Promise<RunSummary[]>;
  /**
   * A short text that changes whenever any run is added, changed or removed, so that a cache of what
   * `list()` and `get()` said may be reused while it is the same; null when the store cannot tell now.
   * Absent: the store has no cheaper check than `list()`.
   */
  changeToken?(): Promise<string | null>;
  /** Removes a run and everything stored for it. Fails with RUN_NOT_FOUND. Callers refuse live runs. */
  delete(runId: string): Promise<Freed>;
  /** Flushes anything pending for a run (e.g. compacts a journal); called when a run ends. */
  flush(runId: string): Promise<void>;
  /**
   * Takes the run's lease (the run need not exist yet). Fails with RUN_BUSY naming the holder when a
   * live process holds it; a stale lease is taken over.
   */
  acquireLease(runId: string, options?: LeaseOptions): Promise<RunLease>;
  /** The state of a run's lease. */
  leaseState(runId: string): Promise<LeaseState>;
}

/**
 * What a run log store implements: a handful of operations on runs and their updates. The façade
 * (`createRunLogStore` in `plugins/run-log-store/shared/run-log-store-facade.ts`) turns it into the
 * wide {@link RunLogStore}: it validates run ids and payloads once, builds the {@link RunOp}s, copies
 * payloads when the driver needs it, and answers RUN_NOT_FOUND for what the driver did not find. A
 * driver only ever sees well-formed run ids and checked payloads.
 */
export interface RunLogStoreDriver {
  /** The service type, e.g. `file-system`. */
  readonly type: string;
  /** Config fields to record in `run_config.run_log_store`. */
  readonly recordedConfig: Record<string, unknown>;
  /** What the store is (see {@link RunLogStoreTraits}). */
  readonly traits: RunLogStoreTraits;
  /** Where its runs are, for messages: `No run log with id "x" in <where>`. */
  readonly where: string;
  /**
   * True when `apply` has read (serialised or copied) every op before it first yields, so later changes
   * to the caller's objects cannot reach it: the façade then hands over the caller's objects uncopied.
   */
  readonly readsOpsAtOnce?: boolean;
  /** Creates a run from a complete, checked run log (steps empty). Fails with RUN_EXISTS when the id is taken. */
  create(run: RunLog): Promise<void>;
  /**
   * Applies updates in order (a batch may hold several; a failing op stops the batch). Fails with
   * RUN_NOT_FOUND for a missing run, INTERNAL (`misplacedWrite`) for a step or branch without its parent.
   */
  apply(runId: string, ops: readonly RunOp[]): Promise<void>;
  /** The whole run log, assembled, as an object the caller owns; undefined when there is no such run. */
  read(runId: string): Promise<RunLog | undefined>;
  /** A fast existence check (without it the façade reads the run). */
  exists?(runId: string): Promise<boolean>;
  /** All runs, newest first when the store can tell (a driver listing foreign folders skips malformed ids). */
  list(options?: ListOptions): Promise<RunSummary[]>;
  /** See {@link RunLogStore.changeToken}. */
  changeToken?(): Promise<string | null>;
  /** Removes a run and everything stored for it; undefined when there is no such run. */
  remove(runId: string): Promise<Freed | undefined>;
  /** Flushes what is pending for a run (called when it ends); false when there is no such run. Without it, flushing checks the run exists. */
  flush?(runId: string): Promise<boolean>;
  /** See {@link RunLogStore.acquireLease}. */
  acquireLease(runId: string, options?: LeaseOptions): Promise<RunLease>;
  /** See {@link RunLogStore.leaseState}. */
  leaseState(runId: string): Promise<LeaseState>;
}
