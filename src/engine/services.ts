import type { Graph } from "../core/graph.js";
import type { CodeIdentity, Parameters, RunConfig, Status } from "../core/run-log.js";
import type { Catalog } from "../ports/catalog.js";
import type { Executor } from "../ports/executor.js";
import type { ExperimentTracker } from "../ports/experiment-tracker.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import type { Secrets } from "../ports/secrets.js";
import type { TaskRunner } from "../ports/task-runner.js";

/** Something the engine reports while a run goes (for live progress). */
export type RunEvent =
  | { type: "run-start"; runId: string }
  | { type: "step-start"; internalName: string; kind: string; depth: number }
  | { type: "attempt-end"; internalName: string; attempt: number; status: Status; message: string; durationMs: number }
  | { type: "step-end"; internalName: string; kind: string; status: Status; durationMs: number; depth: number }
  | { type: "task-output"; internalName: string; stream: "stdout" | "stderr"; text: string }
  | { type: "run-end"; runId: string; status: Status };

/** The services a run uses, composed by the runtime; the engine never picks plug-ins by name. */
export interface Services {
  executor: Executor;
  runLogStore: RunLogStore;
  catalog: Catalog;
  secrets: Secrets;
  tracker: ExperimentTracker;
  /** The runner for a `command_type`, or undefined. */
  taskRunner(commandType: string): TaskRunner | undefined;
  /** The code identity recorded on every step (computed once per run). */
  codeIdentity(): Promise<CodeIdentity>;
  warn(message: string): void;
  onEvent?: (event: RunEvent) => void;
}

/** Everything about one run that is decided before it starts. */
export interface RunPlan {
  runId: string;
  tag: string;
  graph: Graph;
  /** Pipeline name for trackers (file name or SDK name). */
  pipelineName: string;
  initialParameters: Parameters;
  runConfig: RunConfig;
  cwd: string;
  /** Environment of the launching process (tasks inherit it). */
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

/** How a run ended. */
export interface RunResult {
  runId: string;
  status: Status;
}
