import { RunnableError, messageOf } from "../../../core/errors.js";
import { TASK_PARAMETERS, type ParameterSchema } from "../../../core/graph.js";
import { cloneJson, parametersProblem } from "../../../core/parameters.js";
import type { Parameters } from "../../../core/run-log.js";
import { type TaskContext, taskContextStorage } from "../../../ports/task-context.js";
import { destructuredNames, parameterProblem } from "./declared-parameters.js";
import type { TaskFunction } from "./load-function.js";
import { taskStack } from "./task-stack.js";

// Calling a task function, the same on the CLI's thread and in a worker thread: the declared
// parameters checked first, the function run in its task context, what it returns or throws turned
// into the attempt's outcome.

/** What a call of a task function gives back (metrics stay in the context). */
export interface CallResult {
  failure?: string;
  parameters: Parameters;
  /** The function's return value as it is, when the step declares `returns` (the caller maps it to names). */
  returned?: { value: unknown };
}

/** Object parameters by name, each read when the task reads it (a missing one throws then). */
export type LoadedObjects = ReadonlyMap<string, () => unknown>;

/** How a call treats objects and the return value. */
export interface CallOptions {
  /** Loads the object parameters `wanted` (all of them when undefined); absent when the attempt has none. */
  loadObjects?: ((wanted: readonly string[] | undefined) => Promise<LoadedObjects>) | undefined;
  /** The step declares `returns`: the return value is handed back as it is instead of becoming parameters. */
  rawReturn: boolean;
}

/** The schema a task declared: in the SDK (`parameters:`), or as a `parameters` property of its function. */
export function schemaOf(task: object | undefined, fn: TaskFunction): ParameterSchema | undefined {
  const candidate = (task as Record<symbol, unknown> | undefined)?.[TASK_PARAMETERS] ?? (fn as { parameters?: unknown }).parameters;
  return typeof (candidate as ParameterSchema | undefined)?.safeParse === "function" ? (candidate as ParameterSchema) : undefined;
}

/**
 * Runs `fn` in `context`: the object parameters it names (all, when it names none) loaded first, a
 * missing or misspelt parameter failing before it runs; a thrown error's stack (the task's own frames)
 * goes to `stderr`.
 */
export async function callTaskFunction(
  fn: TaskFunction,
  schema: ParameterSchema | undefined,
  context: TaskContext,
  stderr: (text: string) => void,
  options: CallOptions = { rawReturn: false },
): Promise<CallResult> {
  try {
    // Objects are loaded before the call (it may be synchronous): those the function destructures, else all.
    if (options.loadObjects) addObjects(context, await options.loadObjects(schema ? undefined : destructuredNames(fn)?.all));
  } catch (error) {
    return { failure: failureMessage(error), parameters: {} };
  }
  const problem = parameterProblem(fn, schema, context.parameters);
  if (problem) return { failure: problem, parameters: {} };
  try {
    const returned = await taskContextStorage().run(context, () => fn(context.parameters));
    if (options.rawReturn) return { parameters: { ...context.changed }, returned: { value: returned } };
    return { parameters: { ...context.changed, ...returnedParameters(returned) } };
  } catch (error) {
    if (error instanceof Error && error.stack) stderr(`${taskStack(error)}\n`);
    return { failure: failureMessage(error), parameters: {} };
  }
}

/**
 * The task's own copy of the parameters, each value deep-copied on first use: a task touching few of
 * many (or large) parameters does not pay for copying them all, and can never change the engine's.
 */
export function lazyCopy(source: Readonly<Record<string, unknown>>, keys: Iterable<string> = Object.keys(source)): Parameters {
  const copy: Parameters = {};
  for (const key of keys) {
    Object.defineProperty(copy, key, {
      enumerable: true,
      configurable: true,
      get: () => defineValue(copy, key, cloneJson(source[key])),
      set: (value: unknown) => defineValue(copy, key, value),
    });
  }
  return copy;
}

/** Object parameters become getters of the task's parameters, and are named in the context. */
function addObjects(context: TaskContext, objects: LoadedObjects): void {
  const { parameters } = context;
  for (const [name, load] of objects) {
    Object.defineProperty(parameters, name, { enumerable: true, configurable: true, get: load, set: (v: unknown) => defineValue(parameters, name, v) });
  }
  if (objects.size > 0) context.objects = new Set([...(context.objects ?? []), ...objects.keys()]);
}

/** Sets `key` of `target` to a plain value (replacing a lazy one). */
export function defineValue(target: Parameters, key: string, value: unknown): unknown {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return value;
}

/** A returned plain object becomes parameters; nothing returned means no change. */
function returnedParameters(value: unknown): Parameters {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new RunnableError(
      "TASK_FAILED",
      `a TypeScript task must return a plain object of parameters (or nothing), got ${Array.isArray(value) ? "an array" : typeof value}`,
    );
  }
  // Checked before the JSON copy, which would silently turn NaN into null.
  const problem = parametersProblem(value as Record<string, unknown>);
  if (problem) throw new RunnableError("TASK_FAILED", `the object a TypeScript task returned cannot be kept: ${problem}`);
  const json = JSON.parse(JSON.stringify(value)) as unknown;
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RunnableError("TASK_FAILED", "the object a TypeScript task returned does not serialise to a JSON object");
  }
  return json as Parameters;
}

/** `message` for plain errors, `Type: message` for other error classes (what users debugging want). */
function failureMessage(error: unknown): string {
  if (error instanceof Error && error.name !== "Error" && error.name !== "RunnableError") {
    return `${error.name}: ${error.message}`;
  }
  return messageOf(error);
}
