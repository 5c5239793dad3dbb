import { AsyncLocalStorage } from "node:async_hooks";
import type { MetricSeries } from "../core/metrics.js";
import type { MapVariable } from "../core/names.js";
import type { Parameters } from "../core/run-log.js";
import type { TaskServices } from "./task-runner.js";

/** What the in-task API sees while a TypeScript task runs. */
export interface TaskContext {
  runId: string;
  tag: string;
  stepName: string;
  internalName: string;
  attempt: number;
  mapVariable: MapVariable;
  /** Current parameters as the task sees them (its own copy; object parameters as their loaded values). */
  parameters: Parameters;
  /** Names of the object parameters (their values are not JSON: never copied through JSON). */
  objects?: ReadonlySet<string>;
  /** Parameters the task set through the API. */
  changed: Parameters;
  /** Metrics recorded so far, collapsed per (key, step). */
  metrics: MetricSeries;
  services: TaskServices;
  /** Aborted when the task must stop (the run is stopped or the step ran past its time limit). */
  signal: AbortSignal;
  /** Where console output of this task goes. */
  log: (stream: "stdout" | "stderr", text: string) => void;
}

const KEY = Symbol.for("runnable-ts.task-context");

/**
 * The AsyncLocalStorage carrying task contexts. It is kept on `globalThis` under a registered symbol
 * so that every copy of this package loaded in one process (e.g. a user module resolving its own
 * `runnable-ts`) shares it; it holds no state of its own outside `run()` scopes.
 */
export function taskContextStorage(): AsyncLocalStorage<TaskContext> {
  const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<TaskContext> | undefined>;
  return (holder[KEY] ??= new AsyncLocalStorage<TaskContext>());
}

/** The context of the task running now, or undefined outside tasks. */
export function currentTaskContext(): TaskContext | undefined {
  return taskContextStorage().getStore();
}
