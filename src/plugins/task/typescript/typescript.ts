import { MetricSeries } from "../../../core/metrics.js";
import { RunnableError, isRunnableError, messageOf } from "../../../core/errors.js";
import { cloneJson, parametersProblem } from "../../../core/parameters.js";
import type { Parameters } from "../../../core/run-log.js";
import { taskContextStorage, type TaskContext } from "../../../ports/task-context.js";
import type { TaskInvocation, TaskRunner } from "../../../ports/task-runner.js";
import { installConsoleRouting } from "./console-routing.js";
import { TASK_FUNCTION, TASK_PARAMETERS, type ParameterSchema } from "../../../core/graph.js";
import { destructuredNames, parameterProblem } from "./declared-parameters.js";
import { loadObjects, returnedValues } from "./objects.js";
import { loadTaskFunction, type TaskFunction } from "./load-function.js";
import { taskStack } from "./task-stack.js";

/** Creates the in-process TypeScript/JavaScript task runner (modules are imported once per runner). */
export function createTypescriptRunner(): TaskRunner {
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  const resolveFunction = (invocation: { node: TaskInvocation["node"]; cwd: string }): Promise<TaskFunction> => {
    const attached = (invocation.node.task as unknown as Record<symbol, unknown>)[TASK_FUNCTION];
    if (typeof attached === "function") return Promise.resolve(attached as TaskFunction);
    return loadTaskFunction(invocation.node.task.command, invocation.cwd, modules);
  };
  return {
    commandTypes: ["typescript", "javascript"],
    async check(node, cwd) {
      try {
        await resolveFunction({ node, cwd });
        return [];
      } catch (error) {
        const hint = isRunnableError(error) && error.hint ? ` (${error.hint})` : "";
        return [`step "${node.internalName}": ${messageOf(error)}${hint}`];
      }
    },
    async run(invocation) {
      const fn = await resolveFunction(invocation);
      installConsoleRouting();
      const schema = schemaOf(invocation.node.task, fn);
      // Objects are loaded before the call (it is synchronous): those the function destructures, else all.
      const objects = await loadObjects(invocation, schema ? undefined : destructuredNames(fn)?.all);
      const context = contextFor(invocation, objects);
      // A missing or misspelt parameter fails the step before the function runs.
      const problem = parameterProblem(fn, schema, context.parameters);
      if (problem) return { failure: problem, parameters: {}, metrics: [] };
      try {
        const returned = await taskContextStorage().run(context, () => fn(context.parameters));
        if (invocation.returns.length > 0) {
          return { parameters: { ...context.changed }, returns: await returnedValues(invocation, returned), metrics: context.metrics };
        }
        return { parameters: { ...context.changed, ...returnedParameters(returned) }, metrics: context.metrics };
      } catch (error) {
        if (error instanceof Error && error.stack) invocation.output.write("stderr", `${taskStack(error)}\n`);
        return { failure: failureMessage(error), parameters: {}, metrics: context.metrics };
      }
    },
  };
}

/** The schema a task declared: in the SDK (`parameters:`), or as a `parameters` property of its function. */
function schemaOf(task: object, fn: TaskFunction): ParameterSchema | undefined {
  const candidate = (task as Record<symbol, unknown>)[TASK_PARAMETERS] ?? (fn as { parameters?: unknown }).parameters;
  return typeof (candidate as ParameterSchema | undefined)?.safeParse === "function" ? (candidate as ParameterSchema) : undefined;
}

function contextFor(invocation: TaskInvocation, objects: ReadonlyMap<string, () => unknown>): TaskContext {
  const parameters = lazyCopy(invocation.parameters);
  for (const [name, load] of objects)
    Object.defineProperty(parameters, name, { enumerable: true, configurable: true, get: load, set: (v: unknown) => defineValue(parameters, name, v) });
  for (const [name, value] of invocation.mapVariable) defineValue(parameters, name, cloneJson(value));
  return {
    runId: invocation.runId,
    tag: invocation.tag,
    stepName: invocation.node.name,
    internalName: invocation.internalName,
    attempt: invocation.attempt,
    mapVariable: invocation.mapVariable,
    parameters,
    objects: new Set(objects.keys()),
    changed: {},
    metrics: new MetricSeries(),
    services: invocation.services,
    signal: invocation.signal,
    log: (stream, text) => invocation.output.write(stream, text),
  };
}

/**
 * The task's own copy of the parameters, each value deep-copied on first use: a task touching few of
 * many (or large) parameters does not pay for copying them all, and can never change the engine's.
 */
function lazyCopy(source: Parameters): Parameters {
  const copy: Parameters = {};
  for (const key of Object.keys(source)) {
    Object.defineProperty(copy, key, {
      enumerable: true,
      configurable: true,
      get: () => defineValue(copy, key, cloneJson(source[key])),
      set: (value: unknown) => defineValue(copy, key, value),
    });
  }
  return copy;
}

function defineValue(target: Parameters, key: string, value: unknown): unknown {
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
