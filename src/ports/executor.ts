import type { Problem } from "../core/errors.js";
import type { Graph, StubNode, TaskNode } from "../core/graph.js";
import type { MapVariable } from "../core/names.js";
import type { Parameters } from "../core/run-log.js";
import type { OutputSink, ProcessLauncher } from "./task-runner.js";

/** A step the engine runs itself (task or stub). */
export type LeafNode = TaskNode | StubNode;

/**
 * What the executor wants done with a task or stub step: run it as defined, run a replacement (a
 * mocked executor's patch), or record it as run without running it (`mock: true`).
 */
export type StepDisposition = { kind: "run"; node: LeafNode } | { kind: "mock" };

/** A task step to run in another process (a container) through `runnable execute-single-node`. */
export interface RemoteStep {
  runId: string;
  node: TaskNode;
  mapVariable: MapVariable;
  /** The files the step's process loads (as recorded in `run_config`; relative to the working directory). */
  pipelineFile: string | null;
  configFile: string | null;
  parametersFile: string | null;
  tag: string;
  cwd: string;
  /** Where the process's output goes (shown live). */
  output: OutputSink;
  /** Aborted when the run is stopped (its reason a StopReason): the executor stops the step's process. */
  signal: AbortSignal;
  /** Starts the supervised process (own process group; killed only on a forced stop). */
  spawn: ProcessLauncher;
  /**
   * Starts a supervised process that is stopped with the step (the stop signal, the grace period, then
   * SIGKILL), for a step process on this machine that nothing else stops.
   */
  spawnStopped: ProcessLauncher;
  /** Grace period of a stopped step (ms). */
  graceMs: number;
}

/** How a remote step's process ended (the step's record is in the store, written by that process). */
export interface RemoteStepResult {
  exitCode: number;
  /** Why the step could not run, when its process never recorded it. */
  problem?: string;
  /**
   * How the system that ran the step says it ended, when that system ended it (a cluster job killed at
   * its time limit, preempted, out of memory, its node lost, cancelled by someone): the step's failed
   * attempt records this instead of what its process saw (a stop signal).
   */
  ending?: string;
}

/** What an executor that can detach gets: the `runnable` command that walks the run, to start where the steps run. */
export interface DetachRequest {
  runId: string;
  /** Arguments of the `runnable` command that walks the run (e.g. `retry <run id> -c <config>`). */
  args: string[];
  cwd: string;
}

/** What detaching started: what to tell the user (where the walker runs, how to follow the run). */
export interface DetachOutcome {
  message: string;
}

/** What a rendering executor (e.g. `argo`) gets to compile a whole run instead of running it. */
export interface RenderRequest {
  graph: Graph;
  /** The pipeline file as given to `runnable execute -f` (pods read it again), or null for an in-memory pipeline. */
  pipelineFile: string | null;
  configFile: string | null;
  parametersFile: string | null;
  tag: string;
  /** Initial parameters (parameters file + `RUNNABLE_PRM_*`). */
  parameters: Parameters;
  /** Config variables (`RUNNABLE_VAR_*`) the configuration was substituted with. */
  variables: Readonly<Record<string, string>>;
  cwd: string;
}

/** What a render produced: the file written and what to tell the user (next steps). */
export interface RenderOutcome {
  file: string;
  message: string;
}

/**
 * Where an executor's steps run: in this process (the engine walks the graph and runs each step here),
 * launched as processes or jobs of their own (the engine walks here and hands each task step to
 * `launchStep`), or rendered for another engine that walks and runs everything (`render`; nothing runs here).
 */
export type StepPlacement = "in-process" | "launched" | "rendered";

/**
 * What an executor is and supports, for the runtime, the CLI and other plug-ins' rules to read (never
 * its type name).
 */
export interface ExecutorCapabilities {
  placement: StepPlacement;
  /**
   * A failed attempt is retried by starting the step's process again (Argo starts a new pod, a launching
   * executor's walk launches the step again): a step process makes one attempt, and follows a failure to
   * the fail step only on the last one.
   */
  retryByRelaunch: boolean;
  /**
   * A run may keep its log in this process's memory only (a store that is not persistent): its steps
   * run here and nothing reads the run afterwards.
   */
  memoryStore: boolean;
  /**
   * This instance runs in a step process that another process launched and watches (a container of a
   * launching executor): the launcher walks the graph, follows failures and shows progress, so this
   * process only runs its step and passes its output on.
   */
  underLauncher?: boolean;
  /**
   * With placement "launched": an SDK script's pipeline is run here from the definition written for it
   * (the step processes read that file), instead of only being written (runnable 0.50's emulator runs
   * `python pipeline.py`; a container or cluster executor needs the file inside its image first).
   */
  runsWrittenPipeline?: boolean;
  /**
   * Objects that tasks return (kind `object`) stay in this process's memory for the run instead of the
   * run's catalog (runnable 0.50's `object_serialisation: false`): only for steps that run here.
   */
  objectsInMemory?: boolean;
  /** How a map's items travel to the engine that fans out (one text, e.g. JSON for Argo's `withParam`). */
  encodeMapItems?(items: readonly unknown[]): string;
  /**
   * The walk of a run can be handed to where the steps run (`runnable execute --detach`): the executor
   * starts `runnable` there (a cluster's batch job) through `detach`, and this process exits.
   */
  detach?: boolean;
}

/** Decides how and where steps run (in-process, containers, mocked, ...) and how much runs at once. */
export interface Executor {
  readonly type: string;
  /** Where steps run and what the executor supports (see {@link ExecutorCapabilities}). */
  readonly capabilities: ExecutorCapabilities;
  /** Config fields to record in `run_config.executor`. */
  readonly recordedConfig: Record<string, unknown>;
  /** How many branches of a parallel/map node may run at once (1 = sequential). */
  readonly maxParallel: number;
  /**
   * The time limit of one attempt of `node` in milliseconds (`max_step_duration_in_seconds`, with the
   * step's `overrides` bundle applied), or undefined for none.
   */
  stepTimeLimitMs(node: LeafNode): number | undefined;
  /** What to do with a task or stub step (default: run it as defined). */
  disposition?(node: LeafNode): StepDisposition;
  /** Problems with running `graph` on this executor, found before anything runs (e.g. a patched stub). */
  check?(graph: Graph): Problem[];
  /** With placement "rendered": compiles the run for another system (e.g. an Argo manifest); nothing runs here. */
  render?(request: RenderRequest): Promise<RenderOutcome>;
  /** Checks what needs the machine (a container runtime, local images) before anything runs. */
  prepare?(graph: Graph): Promise<void>;
  /** With placement "launched": runs a task step in another process (a container, a cluster job) instead of here. */
  launchStep?(step: RemoteStep): Promise<RemoteStepResult>;
  /** With `launchStep`: whether this step still runs here (runnable's `run_in_local`). */
  runsHere?(node: TaskNode): boolean;
  /** With `capabilities.detach`: starts the command that walks the run where the steps run; resolves once it is submitted. */
  detach?(request: DetachRequest): Promise<DetachOutcome>;
}
