import type { DataCatalog, Parameters, RunLog } from "../../../core/run-log.js";
import type { MetricPoint } from "../../../ports/experiment-tracker.js";

// The messages between the typescript runner (the CLI's thread) and a task worker thread.

/** What a worker finds a task's function by. */
export type WorkerTarget =
  /** `command: path/to/module.ts#export`, resolved from `cwd`. */
  | { kind: "module"; command: string; cwd: string }
  /** A function given in code to a pipeline that a module default-exports: the module is imported again there. */
  | { kind: "pipeline"; module: string; internalName: string };

/** One attempt, as the worker needs it. */
export interface RunRequest {
  type: "run";
  id: number;
  target: WorkerTarget;
  task: { runId: string; tag: string; stepName: string; internalName: string; attempt: number; mapVariable: [string, unknown][] };
  /** Parameter values this worker has not been sent yet (values are never changed in place, so identity tells). */
  values: [string, unknown][];
  /** The names of the attempt's parameters. */
  keys: string[];
  trackerContext: Record<string, unknown>;
  processCookie?: string | undefined;
  /** Some parameters are objects: the thread asks for those its function names (`loadObjects`). */
  hasObjects: boolean;
  /** The step declares `returns`: the return value comes back as it is (`done.returned`). */
  rawReturn: boolean;
}

/** An object parameter as the CLI's thread loaded it: its value, or why it cannot be read. */
export type LoadedObject = [name: string, loaded: { value: unknown } | { error: string }];

/** The services a task calls through the CLI's thread. */
export type ServiceCall =
  | { method: "getSecret"; args: [string] }
  | { method: "getFromCatalog"; args: [string] }
  | { method: "putInCatalog"; args: [string] }
  | { method: "getRunLog"; args: [] }
  | { method: "putObject"; args: [name: string, path: string] }
  | { method: "getObject"; args: [name: string, path: string] }
  | { method: "loadObjects"; args: [wanted: string[] | null] };

/** Messages to a worker. */
export type ToWorker =
  | RunRequest
  | { type: "check"; id: number; target: WorkerTarget }
  | { type: "abort"; id: number; reason: unknown }
  | { type: "reply"; call: number; value?: string | DataCatalog[] | RunLog | LoadedObject[]; error?: { message: string; code?: string | undefined } };

/** Messages from a worker. */
export type FromWorker =
  | { type: "output"; id: number; stream: "stdout" | "stderr"; text: string }
  | ({ type: "call"; id: number; call: number } & ServiceCall)
  | { type: "done"; id: number; failure?: string | undefined; parameters: Parameters; metrics: MetricPoint[]; returned?: { value: unknown } | undefined }
  | { type: "checked"; id: number; problem?: { message: string; hint?: string | undefined } | undefined };
