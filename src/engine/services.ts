import type { Graph } from "../core/graph.js";
import type { ParameterKinds } from "../core/returns.js";
import type { CodeIdentity, Parameters, RunConfig, RunLog, Status } from "../core/run-log.js";
import type { StopReason } from "../core/stop.js";
import type { Catalog } from "../ports/catalog.js";
import type { Executor } from "../ports/executor.js";
import type { ExperimentTracker } from "../ports/experiment-tracker.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import type { Secrets } from "../ports/secrets.js";
import type { TaskRunner } from "../ports/task-runner.js";

/** Something the engine reports while a run goes (for live progress). */
export type RunEvent =
  | { type: "run-start"; runId: string; resumed: boolean }
  | { type: "step-start"; internalName: string; kind: string; depth: number }
  | { type: "attempt-end"; internalName: string; attempt: number; status: Status; message: string; durationMs: number }
  | {
      type: "step-end";
      internalName: string;
      kind: string;
      status: Status;
      durationMs: number;
      depth: number;
      message: string;
      skipped?: "cached" | "kept" | "mocked";
    }
  | { type: "task-output"; internalName: string; stream: "stdout" | "stderr"; text: string }
  | { type: "output-truncated"; internalName: string; shownLines: number }
  | { type: "output-tail"; internalName: string; lines: string[]; omittedLines: number; logName: string }
  | { type: "run-stopping"; runId: string; reason: StopReason }
  | { type: "run-end"; runId: string; status: Status; stopped?: StopReason };

/** Keeps a run's task process groups known to a watchdog that kills them if this process dies. */
export interface ProcessRegistry {
  add(pid: number): void;
  remove(pid: number): void;
  /**
   * The cookie every task process of the run carries in its environment (`RUNNABLE_PROCESS_COOKIE`,
   * `<cookie>.<attempt>`), by which processes that left their group are found; none in fakes.
   */
  readonly cookie?: string;
  /** The process groups supervised now (a warm worker lives on between attempts). */
  liveGroups?(): ReadonlySet<number>;
}

/** The services a run uses, composed by the runtime; the engine never picks plug-ins by name. */
export interface Services {
  executor: Executor;
  runLogStore: RunLogStore;
  catalog: Catalog;
  secrets: Secrets;
  tracker: ExperimentTracker;
  /** The runner for a `command_type`, or undefined. */
  taskRunner(commandType: string): TaskRunner | undefined;
  /** The runner that evaluates a map `reducer` written in its language (see `TaskRunner.reduces`), or undefined. */
  reducer?(expression: string): TaskRunner | undefined;
  /** The code identity recorded on every step (computed once per run). */
  codeIdentity(): Promise<CodeIdentity>;
  /** The container image's identity, recorded beside the git one when steps run in a container. */
  imageIdentity?: CodeIdentity;
  /** Where task process groups are registered (so they never outlive the CLI). */
  processes: ProcessRegistry;
  /** Creates a private folder (mode 0700) for one attempt's secret-holding files; removed after it. */
  scratchDir(): Promise<string>;
  /** Empties an attempt's scratch folder and keeps it for a later attempt (cheaper than a new one); when absent, the folder is removed. */
  releaseScratchDir?(dir: string): Promise<void>;
  /** The clock of attempt times and durations (epoch microseconds; tests fix it). */
  now(): number;
  /** How long stopped processes get between the stop signal and SIGKILL (ms). */
  stopGraceMs: number;
  warn(message: string): void;
  onEvent?: (event: RunEvent) => void;
}

/** How a run relates to earlier records. */
export type RunMode =
  /** A fresh run. */
  | { kind: "new" }
  /** A new run re-using what succeeded in `original` (runnable's `--use-cached`). */
  | { kind: "cached"; original: RunLog }
  /** The same run continued (`runnable retry`): `stored` is its log as found. */
  | { kind: "retry"; stored: RunLog };

/** How a run is stopped from outside (the CLI's signal handlers, an SDK caller's AbortSignal). */
export interface RunStop {
  /** Aborted (its reason a StopReason) when the run must stop: nothing new starts, running steps are stopped. */
  signal: AbortSignal;
  /** Aborted when stopping must not wait any longer (a second Ctrl-C): processes are killed at once. */
  force: AbortSignal;
}

/** Everything about one run that is decided before it starts. */
export interface RunPlan {
  runId: string;
  tag: string;
  graph: Graph;
  /** Pipeline name for trackers (file name or SDK name). */
  pipelineName: string;
  initialParameters: Parameters;
  /** Kinds of the non-JSON initial parameters (a re-run starting from an original run's objects). */
  initialKinds?: ParameterKinds;
  runConfig: RunConfig;
  cwd: string;
  /** Environment of the launching process (tasks inherit it). */
  env: Readonly<Record<string, string | undefined>>;
  mode: RunMode;
  stop: RunStop;
  /** Secret values masked from the start (everything the secrets service knows of; see runtime/known-secrets.ts). */
  secretValues?: readonly string[];
}

/** How a run ended. */
export interface RunResult {
  runId: string;
  status: Status;
  /** Set when the run was stopped (signal or request) before it finished. */
  stopped?: StopReason;
}
