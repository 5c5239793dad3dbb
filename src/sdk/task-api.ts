import type { z } from "zod";
import { RunnableError } from "../core/errors.js";
import { toTrackable } from "../core/metrics.js";
import { cloneJson, parameterNameProblem, valueProblem } from "../core/parameters.js";
import type { DataCatalog, RunLog } from "../core/run-log.js";
import { currentTaskContext, type TaskContext } from "../ports/task-context.js";

function context(api: string): TaskContext {
  const found = currentTaskContext();
  if (!found) {
    throw new RunnableError("NOT_IN_TASK", `${api}() can only be called inside a running task`, {
      hint: "call it from a function that runnable runs as a task step (command_type: typescript)",
    });
  }
  return found;
}

/**
 * Records metrics for the current step: `track({ loss: 0.3 }, 2)` records `loss` at step 2 (default 0).
 * Values may be numbers, strings, booleans, objects, or anything with `toJSON`.
 */
export function track(values: Record<string, unknown>, step = 0): void {
  const ctx = context("track");
  if (!Number.isInteger(step) || step < 0) throw new RunnableError("TASK_FAILED", `track(): step must be a non-negative integer, got ${step}`);
  const time_ms = Date.now();
  for (const key in values) {
    if (!Object.hasOwn(values, key)) continue;
    const value = values[key];
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new RunnableError("TASK_FAILED", `track(): metric "${key}" is ${value}; metrics are stored as JSON, which cannot hold NaN or Infinity`, {
        hint: `skip the value, or record it as text: track({ ${JSON.stringify(key)}: String(value) })`,
      });
    }
    ctx.metrics.record(key, step, toTrackable(value), time_ms);
  }
}

/** All parameters (no key) or one parameter, optionally validated with a zod schema. */
export function getParameter(): Record<string, unknown>;
export function getParameter<T = unknown>(key: string): T;
export function getParameter<S extends z.ZodType>(key: string, schema: S): z.output<S>;
export function getParameter(key?: string, schema?: z.ZodType): unknown {
  const ctx = context("getParameter");
  const all = { ...ctx.parameters, ...ctx.changed };
  // Object parameters are values of any kind (a Map, a class instance): handed over as they are.
  const copy = (name: string): unknown => (ctx.objects?.has(name) && !Object.hasOwn(ctx.changed, name) ? all[name] : cloneJson(all[name]));
  if (key === undefined) return ctx.objects?.size ? Object.fromEntries(Object.keys(all).map((name) => [name, copy(name)])) : cloneJson(all);
  if (!(key in all)) {
    throw new RunnableError("TASK_FAILED", `Parameter ${key} is not set before`, {
      hint: `known parameters: ${Object.keys(all).join(", ") || "(none)"}`,
    });
  }
  const value = copy(key);
  if (!schema) return value;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RunnableError("TASK_FAILED", `parameter ${key} does not match its schema: ${parsed.error.message}`);
  return parsed.data;
}

/** Sets parameters for the following steps (kept only if the step succeeds). */
export function setParameter(values: Record<string, unknown>, ...extra: never[]): void {
  const ctx = context("setParameter");
  // `setParameter("name", value)` would otherwise spread the string into parameters "0", "1", ...
  if (typeof values !== "object" || values === null || Array.isArray(values) || extra.length > 0) {
    const got = extra.length > 0 ? `${extra.length + 1} arguments` : values === null ? "null" : Array.isArray(values) ? "an array" : `a ${typeof values}`;
    throw new RunnableError("TASK_FAILED", `setParameter() takes one object of names to values, got ${got}`, {
      hint: "write setParameter({ name: value }) (several at once: setParameter({ a: 1, b: 2 }))",
    });
  }
  for (const [key, value] of Object.entries(values)) {
    const problem = parameterNameProblem(key) ?? (valueProblem(value) && `parameter "${key}" ${valueProblem(value)}`);
    if (problem) throw new RunnableError("TASK_FAILED", `setParameter(): ${problem}`);
    ctx.changed[key] = toTrackable(value);
  }
}

/** The current run's id. */
export function getRunId(): string {
  return context("getRunId").runId;
}

/** The current run's tag ("" when none). */
export function getTag(): string {
  return context("getTag").tag;
}

/** The run log as stored now. */
export function getRunLog(): Promise<RunLog> {
  return context("getRunLog").services.getRunLog();
}

/** Copies files matching `pattern` from the run's catalog into the working directory. */
export function getFromCatalog(pattern: string): Promise<DataCatalog[]> {
  return context("getFromCatalog").services.getFromCatalog(pattern);
}

/** Copies files matching `pattern` from the working directory into the run's catalog. */
export function putInCatalog(pattern: string): Promise<DataCatalog[]> {
  return context("putInCatalog").services.putInCatalog(pattern);
}

/** A secret's value from the configured secrets service (masked in everything runnable writes). */
export function getSecret(name: string): Promise<string> {
  return context("getSecret").services.getSecret(name);
}

/** What the experiment tracker offers for logging extra things to the same run ({} for do-nothing). */
export function getExperimentTrackerContext(): Record<string, unknown> {
  return context("getExperimentTrackerContext").services.trackerContext();
}

/**
 * Aborted when the task must stop: the run was stopped (Ctrl-C, SIGTERM, SIGHUP) or the step ran past
 * its time limit. Long-running TypeScript tasks should watch it (`signal.throwIfAborted()`, or pass it
 * to `fetch`); a task that ignores it is given up on after the grace period.
 */
export function getAbortSignal(): AbortSignal {
  return context("getAbortSignal").signal;
}
