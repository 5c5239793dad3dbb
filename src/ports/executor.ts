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
  /** Grace period of a stopped step (ms). */
  graceMs: number;
}

/** How a remote step's process ended (the step's record is in the store, written by that process). */
export interface RemoteStepResult {
  exitCode: number;
  /** Why the step could not run, when its process never recorded it. */
  problem?: string;
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

/** Decides how and where steps run (in-process, containers, mocked, ...) and how much runs at once. */
export interface Executor {
  readonly type: string;
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
  /** Present on executors that compile the run for another system (e.g. an Argo manifest) and run nothing. */
  render?(request: RenderRequest): Promise<RenderOutcome>;
  /** Checks what needs the machine (a container runtime, local images) before anything runs. */
  prepare?(graph: Graph): Promise<void>;
  /** Runs a task step in another process (a container) instead of here; undefined for in-process executors. */
  launchStep?(step: RemoteStep): Promise<RemoteStepResult>;
  /** With `launchStep`: whether this step still runs here (runnable's `run_in_local`). */
  runsHere?(node: TaskNode): boolean;
}
