import type { TaskNode } from "../core/graph.js";
import type { MapVariable } from "../core/names.js";
import type { MetricSeries } from "../core/metrics.js";
import type { InvocationReturn, ParameterKinds } from "../core/returns.js";
import type { DataCatalog, Parameters, RunLog } from "../core/run-log.js";
import type { MetricPoint } from "./experiment-tracker.js";

/** Receives a task's output; both streams are kept, in order. */
export interface OutputSink {
  write(stream: "stdout" | "stderr", chunk: string | Uint8Array): void;
}

/** A subprocess a task runner asks the engine to start. */
export interface ProcessSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

/** How a supervised subprocess ended. */
export interface ProcessResult {
  /** Exit code (128 + signal number when a signal ended it). */
  code: number;
  /** The signal that ended it, if any. */
  signal: string | null;
  /** Set when the program could not be started at all (e.g. ENOENT: not installed). */
  spawnError?: NodeJS.ErrnoException;
}

/**
 * Starts subprocesses the engine supervises: each runs in its own process group with both output
 * streams drained into the attempt's output, is stopped with its whole group when the attempt is
 * stopped (the stop signal, a grace period, then SIGKILL), and never outlives the CLI.
 */
export type ProcessLauncher = (spec: ProcessSpec) => Promise<ProcessResult>;

/** Services a running task may call (the in-task API is built on these). */
export interface TaskServices {
  getSecret(name: string): Promise<string>;
  /** Gets files from the catalog; the records are added to the current step log. */
  getFromCatalog(pattern: string): Promise<DataCatalog[]>;
  /** Puts files into the catalog; the records are added to the current step log. */
  putInCatalog(pattern: string): Promise<DataCatalog[]>;
  /** The run log as stored now. */
  getRunLog(): Promise<RunLog>;
  /** What the experiment tracker offers for direct logging. */
  trackerContext(): Record<string, unknown>;
  /**
   * Stores the file at `path` (the attempt's own, e.g. in its scratch folder) in the run's catalog as the
   * object file `name` (see `objectFileName`); not listed in the step's `data_catalog`, as in runnable 0.50.
   */
  putObject(name: string, path: string): Promise<void>;
  /** Copies the object file `name` from the run's catalog to `path`; CATALOG_ERROR naming the object when it is not there. */
  getObject(name: string, path: string): Promise<void>;
}

/** Everything a task runner needs to run one attempt of a task step. */
export interface TaskInvocation {
  runId: string;
  tag: string;
  node: TaskNode;
  /** Resolved internal name of the step. */
  internalName: string;
  attempt: number;
  /** The parameters this attempt sees (a private copy). */
  parameters: Parameters;
  /** Kinds of the parameters that are not JSON: an `object` parameter's value names a stored object (see `services.getObject`). */
  parameterKinds: ParameterKinds;
  /** What the task declared it returns (runnable 0.50's `returns`), in order; each object with the name to store it under. */
  returns: readonly InvocationReturn[];
  mapVariable: MapVariable;
  cwd: string;
  /**
   * Environment for subprocesses: the launching environment plus run variables
   * (`RUNNABLE_RUN_ID`, ...), parameters (`RUNNABLE_PRM_*`), the map variable and the task's secrets.
   */
  env: Record<string, string>;
  output: OutputSink;
  services: TaskServices;
  /** Secret values to mask wherever they would be written. */
  secretValues: readonly string[];
  /** Aborted when the attempt must stop (the run is stopped, or the step ran past its time limit). */
  signal: AbortSignal;
  /** The cookie marking the attempt's processes (`RUNNABLE_PROCESS_COOKIE`), for runners that start processes themselves. */
  processCookie?: string | undefined;
  /** Starts supervised subprocesses (use it for every process a task starts). */
  spawn: ProcessLauncher;
  /**
   * A private folder (mode 0700) of this attempt for files holding secrets or parameters, made on the
   * first call (empty); emptied when the attempt ends (and perhaps given to a later attempt), removed by
   * the next run or retry if the CLI was killed.
   */
  scratchDir(): Promise<string>;
}

/** What a finished attempt hands back (a failing task is data, not an exception). */
export interface TaskOutcome {
  /** Why the attempt failed (undefined when it succeeded). */
  failure?: string;
  /** Parameters the task set or changed (only these; unchanged ones may be omitted). */
  parameters: Parameters;
  /** Metrics the task recorded: points in recording order, or a series collapsed as they were recorded. */
  metrics: readonly MetricPoint[] | MetricSeries;
  /**
   * The values of the declared `returns` by name, set by a runner that supports returns when the task
   * succeeded (an object's value is its name, the object already stored with `putObject`). A name may be
   * missing when the task did not produce it (a shell variable it did not export).
   */
  returns?: Parameters;
}

/** What a runner needs to fold a map's collected values with a reducer written in its language. */
export interface ReduceRequest {
  /** The map step's `reducer` (e.g. `lambda *x: max(x)`, or a dotted function path). */
  expression: string;
  /** The values of one parameter, one per map item, in item order. */
  values: unknown[];
  cwd: string;
  env: Record<string, string>;
  /** Starts supervised subprocesses (their output is kept for the failure message). */
  spawn: ProcessLauncher;
  /** A private folder for the request's files (see {@link TaskInvocation.scratchDir}). */
  scratchDir(): Promise<string>;
  signal: AbortSignal;
}

/**
 * Runs one kind of task (`command_type`). A task that fails returns `failure` (keeping what it recorded);
 * anything thrown is treated as a failure of the attempt too, with the error's message.
 */
export interface TaskRunner {
  /** The `command_type` values it serves (e.g. `typescript`, `javascript`). */
  readonly commandTypes: readonly string[];
  /**
   * True when its tasks are processes started with the parameters in their environment
   * (`RUNNABLE_PRM_*`): a parameter too large for an environment variable is refused before a run.
   */
  readonly parametersInEnvironment?: boolean;
  /** Checks a task definition before the run starts (e.g. module and export exist); returns problems. */
  check?(node: TaskNode, cwd: string): Promise<string[]>;
  run(invocation: TaskInvocation): Promise<TaskOutcome>;
  /** True when `reduce` evaluates this map `reducer` (a reducer in the runner's language, e.g. a Python lambda). */
  reduces?(expression: string): boolean;
  /** Folds a map's values with a reducer `reduces` accepted; throws (with why) when the reducer fails. */
  reduce?(request: ReduceRequest): Promise<unknown>;
  /** Ends what the runner keeps between attempts (warm worker processes); called once when the run is over. */
  dispose?(): Promise<void>;
}
