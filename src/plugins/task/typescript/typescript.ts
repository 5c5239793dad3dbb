import { isRunnableError, messageOf } from "../../../core/errors.js";
import { MetricSeries } from "../../../core/metrics.js";
import { cloneJson } from "../../../core/parameters.js";
import { TASK_FUNCTION, TASK_PIPELINE_MODULE, type TaskNode } from "../../../core/graph.js";
import type { TaskContext } from "../../../ports/task-context.js";
import type { TaskInvocation, TaskOutcome, TaskRunner } from "../../../ports/task-runner.js";
import { installConsoleRouting } from "./console-routing.js";
import { loadObjects, returnedValues } from "./objects.js";
import { loadTaskFunction, type TaskFunction } from "./load-function.js";
import { callTaskFunction, defineValue, lazyCopy, schemaOf } from "./task-call.js";
import { type WorkerOutcome, type WorkerPool, checkInWorker, createWorkerPool, disposeWorkerPool, hasObjects, runInWorker } from "./worker-pool.js";
import type { WorkerTarget } from "./worker-protocol.js";

/** Settings of the TypeScript runner (`task_runners: {typescript: ...}`). */
export interface TypescriptRunnerConfig {
  /** Run tasks in worker threads, where a stop or a time limit reaches them whatever they do (default true). */
  worker_threads: boolean;
}

/**
 * Creates the TypeScript/JavaScript task runner. Tasks run in warm worker threads (worker-pool.ts), so
 * the CLI's thread stays free to stop them; a function given in code to `pipeline.execute()` cannot
 * cross threads (its module is the caller's own program) and runs on the caller's thread, as every task
 * does with `worker_threads: false`.
 */
export function createTypescriptRunner(config: TypescriptRunnerConfig = { worker_threads: true }): TaskRunner {
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  const pool: WorkerPool | undefined = config.worker_threads ? createWorkerPool() : undefined;
  const here = (node: TaskNode, cwd: string): Promise<TaskFunction> => {
    const attached = (node.task as unknown as Record<symbol, unknown>)[TASK_FUNCTION];
    if (typeof attached === "function") return Promise.resolve(attached as TaskFunction);
    return loadTaskFunction(node.task.command, cwd, modules);
  };
  return {
    commandTypes: ["typescript", "javascript"],
    async check(node, cwd) {
      const target = pool && workerTarget(node, cwd);
      try {
        if (!pool || !target) {
          await here(node, cwd);
          return [];
        }
        const problem = await checkInWorker(pool, target);
        return problem ? [`step "${node.internalName}": ${problem.message}${problem.hint ? ` (${problem.hint})` : ""}`] : [];
      } catch (error) {
        const hint = isRunnableError(error) && error.hint ? ` (${error.hint})` : "";
        return [`step "${node.internalName}": ${messageOf(error)}${hint}`];
      }
    },
    async run(invocation) {
      const target = pool && workerTarget(invocation.node, invocation.cwd);
      if (pool && target) return withReturns(invocation, await runInWorker(pool, target, invocation));
      return withReturns(invocation, await runHere(await here(invocation.node, invocation.cwd), invocation));
    },
    dispose: async () => {
      if (pool) await disposeWorkerPool(pool);
    },
  };
}

/** Where a worker thread finds the task's function, or undefined when only this thread has it. */
function workerTarget(node: TaskNode, cwd: string): WorkerTarget | undefined {
  const task = node.task as unknown as Record<symbol, unknown>;
  if (typeof task[TASK_FUNCTION] !== "function") return { kind: "module", command: node.task.command, cwd };
  const module = task[TASK_PIPELINE_MODULE];
  return typeof module === "string" ? { kind: "pipeline", module, internalName: node.internalName } : undefined;
}

/** Runs an attempt on this thread (in its own AsyncLocalStorage context, so concurrent tasks keep their own state). */
async function runHere(fn: TaskFunction, invocation: TaskInvocation): Promise<WorkerOutcome> {
  installConsoleRouting();
  const context = contextFor(invocation);
  const options = {
    loadObjects: hasObjects(invocation) ? (wanted: readonly string[] | undefined) => loadObjects(invocation, wanted) : undefined,
    rawReturn: invocation.returns.length > 0,
  };
  const result = await callTaskFunction(fn, schemaOf(invocation.node.task, fn), context, (text) => invocation.output.write("stderr", text), options);
  return { ...result, metrics: context.metrics };
}

/** The declared returns of a call that handed its return value back (objects stored into the catalog here). */
async function withReturns(invocation: TaskInvocation, outcome: WorkerOutcome): Promise<TaskOutcome> {
  const { returned, ...rest } = outcome;
  if (!returned || rest.failure !== undefined) return rest;
  try {
    return { ...rest, returns: await returnedValues(invocation, returned.value) };
  } catch (error) {
    return { ...rest, failure: messageOf(error), parameters: {} };
  }
}

function contextFor(invocation: TaskInvocation): TaskContext {
  const parameters = lazyCopy(invocation.parameters);
  for (const [name, value] of invocation.mapVariable) defineValue(parameters, name, cloneJson(value));
  return {
    runId: invocation.runId,
    tag: invocation.tag,
    stepName: invocation.node.name,
    internalName: invocation.internalName,
    attempt: invocation.attempt,
    mapVariable: invocation.mapVariable,
    parameters,
    changed: {},
    metrics: new MetricSeries(),
    services: invocation.services,
    signal: invocation.signal,
    log: (stream, text) => invocation.output.write(stream, text),
  };
}
