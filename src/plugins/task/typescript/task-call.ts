import { RunnableError, messageOf } from "../../../core/errors.js";
import { TASK_PARAMETERS, type ParameterSchema } from "../../../core/graph.js";
import { cloneJson, parametersProblem } from "../../../core/parameters.js";
import type { Parameters } from "../../../core/run-log.js";
import { type TaskContext, taskContextStorage } from "../../../ports/task-context.js";
import { parameterProblem } from "./declared-parameters.js";
import type { TaskFunction } from "./load-function.js";
import { taskStack } from "./task-stack.js";

// Calling a task function, the same on the CLI's thread and in a worker thread: the declared
// parameters checked first, the function run in its task context, what it returns or throws turned
// into the attempt's outcome.

/** What a call of a task function gives back (metrics stay in the context). */
export interface CallResult {
  failure?: string;
  parameters: Parameters;
}

/** The schema a task declared: in the SDK (`parameters:`), or as a `parameters` property of its function. */
export function schemaOf(task: object | undefined, fn: TaskFunction): ParameterSchema | undefined {
  const candidate = (task as Record<symbol, unknown> | undefined)?.[TASK_PARAMETERS] ?? (fn as { parameters?: unknown }).parameters;
  return typeof (candidate as ParameterSchema | undefined)?.safeParse === "function" ? (candidate as ParameterSchema) : undefined;
}

/** Runs `fn` in `context`: a missing or misspelt parameter fails before it runs; a thrown error's stack (the task's own frames) goes to `stderr`. */
export async function callTaskFunction(
  fn: TaskFunction,
  schema: ParameterSchema | undefined,
  context: TaskContext,
  stderr: (text: string) => void,
): Promise<CallResult> {
  const problem = parameterProblem(fn, schema, context.parameters);
  if (problem) return { failure: problem, parameters: {} };
  try {
    const returned = await taskContextStorage().run(context, () => fn(context.parameters));
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
