import { parentPort } from "node:worker_threads";
import { type ErrorCode, RunnableError, isRunnableError, messageOf } from "../../../core/errors.js";
import { TASK_FUNCTION, allNodes } from "../../../core/graph.js";
import { MetricSeries } from "../../../core/metrics.js";
import { cloneJson } from "../../../core/parameters.js";
import { isBuiltPipeline } from "../../../core/pipeline-object.js";
import type { DataCatalog, RunLog } from "../../../core/run-log.js";
import { importModule, moduleLoadError } from "../../../io/import-module.js";
import { PROCESS_COOKIE } from "../../../io/process-sweep.js";
import type { TaskContext } from "../../../ports/task-context.js";
import type { TaskServices } from "../../../ports/task-runner.js";
import { installConsoleRouting } from "./console-routing.js";
import { loadTaskFunction, type TaskFunction } from "./load-function.js";
import { callTaskFunction, defineValue, type LoadedObjects, lazyCopy, schemaOf } from "./task-call.js";
import type { FromWorker, LoadedObject, RunRequest, ServiceCall, ToWorker, WorkerTarget } from "./worker-protocol.js";

// The entry of a task worker thread: it imports task functions (its own module graph: a module
// imported here is not the CLI's) and runs one attempt at a time with the in-task API working as on
// the CLI's thread — parameters, metrics and console output here, secrets, catalog and the run log
// through the CLI's thread. The CLI's thread stays free to answer signals and time limits, and ends
// this thread (`terminate`) when a stopped task does not stop.

/** A function found, with the schema its task declared. */
interface Found {
  fn: TaskFunction;
  task: object | undefined;
}

/** What this thread keeps between attempts. */
interface WorkerState {
  post(message: FromWorker): void;
  /** Imported modules by path (shared with loadTaskFunction). */
  modules: Map<string, Promise<Record<string, unknown>>>;
  /** Pipeline modules built once: their functions by internal step name. */
  pipelines: Map<string, Promise<Map<string, Found>>>;
  /** Every parameter value the CLI's thread sent, by name. */
  values: Map<string, unknown>;
  /** The running attempt's stop, by attempt id. */
  aborts: Map<number, AbortController>;
  /** Service calls waiting for the CLI's thread. */
  calls: Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>;
  nextCall: number;
}

async function pipelineFunctions(module: string): Promise<Map<string, Found>> {
  const imported = await importModule(module).catch((error: unknown) => {
    throw moduleLoadError(`pipeline module ${module}`, error);
  });
  const pipeline = imported.default;
  if (!isBuiltPipeline(pipeline)) throw new RunnableError("EXPORT_NOT_FOUND", `pipeline module ${module} has no default-exported pipeline`);
  const found = new Map<string, Found>();
  for (const node of allNodes(pipeline.build().graph)) {
    const fn = node.kind === "task" ? (node.task as unknown as Record<symbol, unknown>)[TASK_FUNCTION] : undefined;
    if (node.kind === "task" && typeof fn === "function") found.set(node.internalName, { fn: fn as TaskFunction, task: node.task });
  }
  return found;
}

async function findFunction(state: WorkerState, target: WorkerTarget): Promise<Found> {
  if (target.kind === "module") return { fn: await loadTaskFunction(target.command, target.cwd, state.modules), task: undefined };
  let building = state.pipelines.get(target.module);
  if (!building) {
    building = pipelineFunctions(target.module);
    state.pipelines.set(target.module, building);
    building.catch(() => state.pipelines.delete(target.module));
  }
  const found = (await building).get(target.internalName);
  if (!found) throw new RunnableError("EXPORT_NOT_FOUND", `pipeline module ${target.module} builds no function for step "${target.internalName}"`);
  return found;
}

function callService(state: WorkerState, id: number, call: ServiceCall): Promise<unknown> {
  const number = state.nextCall++;
  return new Promise((resolve, reject) => {
    state.calls.set(number, { resolve, reject });
    state.post({ type: "call", id, call: number, ...call });
  });
}

function servicesFor(state: WorkerState, id: number, trackerContext: Record<string, unknown>): TaskServices {
  return {
    getSecret: (name) => callService(state, id, { method: "getSecret", args: [name] }) as Promise<string>,
    getFromCatalog: (pattern) => callService(state, id, { method: "getFromCatalog", args: [pattern] }) as Promise<DataCatalog[]>,
    putInCatalog: (pattern) => callService(state, id, { method: "putInCatalog", args: [pattern] }) as Promise<DataCatalog[]>,
    getRunLog: () => callService(state, id, { method: "getRunLog", args: [] }) as Promise<RunLog>,
    putObject: async (name, path) => void (await callService(state, id, { method: "putObject", args: [name, path] })),
    getObject: async (name, path) => void (await callService(state, id, { method: "getObject", args: [name, path] })),
    trackerContext: () => structuredClone(trackerContext),
  };
}

/** The task context of one attempt: its parameters a lazy copy of the values this thread holds. */
function contextFor(state: WorkerState, request: RunRequest, controller: AbortController): TaskContext {
  for (const [key, value] of request.values) state.values.set(key, value);
  const held = Object.fromEntries(request.keys.map((key) => [key, state.values.get(key)]));
  const parameters = lazyCopy(held);
  for (const [name, value] of request.task.mapVariable) defineValue(parameters, name, cloneJson(value));
  const { id } = request;
  return {
    ...request.task,
    parameters,
    changed: {},
    metrics: new MetricSeries(),
    services: servicesFor(state, id, request.trackerContext),
    signal: controller.signal,
    log: (stream, text) => state.post({ type: "output", id, stream, text }),
  };
}

async function run(state: WorkerState, request: RunRequest): Promise<void> {
  const controller = new AbortController();
  state.aborts.set(request.id, controller);
  // What the task starts carries the attempt's cookie (no process it starts outlives the run).
  if (request.processCookie) process.env[PROCESS_COOKIE] = request.processCookie;
  const context = contextFor(state, request, controller);
  try {
    const found = await findFunction(state, request.target);
    const stderr = (text: string) => context.log("stderr", text);
    const loadObjects = request.hasObjects ? (wanted: readonly string[] | undefined) => objectsFor(state, request.id, wanted) : undefined;
    const result = await callTaskFunction(found.fn, schemaOf(found.task, found.fn), context, stderr, { loadObjects, rawReturn: request.rawReturn });
    postDone(state, {
      type: "done",
      id: request.id,
      failure: result.failure,
      parameters: result.parameters,
      metrics: [...context.metrics],
      returned: result.returned,
    });
  } catch (error) {
    state.post({ type: "done", id: request.id, failure: messageOf(error), parameters: {}, metrics: [...context.metrics] });
  } finally {
    state.aborts.delete(request.id);
  }
}

/** The object parameters `wanted` (all when undefined), loaded by the CLI's thread; one that cannot be read throws when read. */
async function objectsFor(state: WorkerState, id: number, wanted: readonly string[] | undefined): Promise<LoadedObjects> {
  const loaded = (await callService(state, id, { method: "loadObjects", args: [wanted ? [...wanted] : null] })) as LoadedObject[];
  return new Map(
    loaded.map(([name, found]) => [
      name,
      () => {
        if ("value" in found) return found.value;
        throw new RunnableError("TASK_FAILED", found.error);
      },
    ]),
  );
}

/** Posts an attempt's end; a return value that cannot cross threads fails the attempt, saying why. */
function postDone(state: WorkerState, done: Extract<FromWorker, { type: "done" }>): void {
  try {
    state.post(done);
  } catch (error) {
    const failure = `the value the function returned cannot be passed on: ${messageOf(error)} (functions, symbols and the like cannot be)`;
    state.post({ ...done, failure, parameters: {}, returned: undefined });
  }
}

async function check(state: WorkerState, id: number, target: WorkerTarget): Promise<void> {
  try {
    await findFunction(state, target);
    state.post({ type: "checked", id });
  } catch (error) {
    const hint = isRunnableError(error) ? error.hint : undefined;
    state.post({ type: "checked", id, problem: { message: messageOf(error), hint } });
  }
}

function receive(state: WorkerState, message: ToWorker): void {
  switch (message.type) {
    case "run":
      void run(state, message);
      return;
    case "check":
      void check(state, message.id, message.target);
      return;
    case "abort":
      state.aborts.get(message.id)?.abort(message.reason);
      return;
    case "reply": {
      const waiting = state.calls.get(message.call);
      state.calls.delete(message.call);
      // The CLI's thread's error, with its code (e.g. SECRET_NOT_FOUND), as the task would have caught it there.
      if (message.error) waiting?.reject(new RunnableError((message.error.code ?? "TASK_FAILED") as ErrorCode, message.error.message));
      else waiting?.resolve(message.value);
    }
  }
}

const port = parentPort;
if (port) {
  installConsoleRouting();
  const state: WorkerState = {
    post: (message) => port.postMessage(message),
    modules: new Map(),
    pipelines: new Map(),
    values: new Map(),
    aborts: new Map(),
    calls: new Map(),
    nextCall: 0,
  };
  port.on("message", (message: ToWorker) => receive(state, message));
}
