import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { RunnableError, messageOf } from "../../../core/errors.js";
import type { TaskInvocation, TaskOutcome } from "../../../ports/task-runner.js";
import { loadObjects } from "./objects.js";
import type { FromWorker, LoadedObject, RunRequest, ServiceCall, ToWorker, WorkerTarget } from "./worker-protocol.js";

// Warm worker threads for TypeScript tasks: the first task of a run starts one (its modules imported
// there once), later tasks reuse an idle one; concurrent tasks get their own, up to one thread per CPU
// (at least 2). Starting a thread costs about a second of CPU (tsx and the task's module graph), so a
// map of 20 asynchronous tasks would spend more on threads than on its work: beyond the cap, a task
// shares the least busy thread, where it interleaves with the others as async code does on one thread.
// A thread can be ended (`terminate`, which stops even a loop that never yields); the tasks sharing it
// then fail saying so (a loop that never yields had stopped them too). A thread that crashed or was
// ended is never reused.

/** What an attempt gives back: the outcome, and the function's return value when the step declares `returns`. */
export type WorkerOutcome = TaskOutcome & { returned?: { value: unknown } | undefined };

/** Time a stopped task gets to return after its abort signal before its thread is ended. */
export const STOP_GRACE_MS = 3_000;

/** One worker thread and what the CLI's thread knows of it. */
interface TaskWorker {
  worker: Worker;
  /** The parameter values sent to it, by name (the same value is not sent again). */
  sent: Map<string, unknown>;
  /** What it is doing: the attempts and checks waiting for their answers, by id. */
  running: Map<number, Waiting>;
  dead: boolean;
  /** Why it was ended, told to the tasks that shared it. */
  endReason?: string;
}

/** An attempt or check waiting for its worker. */
interface Waiting {
  id: number;
  invocation?: TaskInvocation;
  settle(message: FromWorker | { type: "died"; reason: string }): void;
}

/** The pool of one runner (one run): its threads and how to start one. */
export interface WorkerPool {
  idle: TaskWorker[];
  all: Set<TaskWorker>;
  nextId: number;
  /** Threads started at most; beyond, tasks share them. */
  cap: number;
}

/** An empty pool (threads start when tasks need them), of at most `cap` threads (default: one per CPU, at least 2). */
export function createWorkerPool(cap = Math.max(2, availableParallelism())): WorkerPool {
  return { idle: [], all: new Set(), nextId: 0, cap };
}

/** The worker's entry: the bundled CLI's, the compiled package's, or the TypeScript source through tsx (tests). */
function startWorker(): Worker {
  const options = { stdout: true, stderr: true } as const;
  for (const name of ["./task-worker.mjs", "./task-worker.js"]) {
    const url = new URL(name, import.meta.url);
    if (existsSync(fileURLToPath(url))) return new Worker(url, options);
  }
  // tsx's ESM API (`register`), found from its package file: resolving "tsx/esm/api" here gives its CommonJS build.
  const tsxPackage = createRequire(import.meta.url).resolve("tsx/package.json");
  const tsx = pathToFileURL(join(dirname(tsxPackage), "dist", "esm", "api", "index.mjs")).href;
  const entry = new URL("./task-worker.ts", import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry)}))`, { ...options, eval: true });
}

function spawnWorker(pool: WorkerPool): TaskWorker {
  const handle: TaskWorker = { worker: startWorker(), sent: new Map(), running: new Map(), dead: false };
  const { worker } = handle;
  // Output written to process.stdout/stderr in the thread goes to the attempt running there; when tasks
  // share the thread it cannot be told whose it is and goes to the CLI's own stream (console.* output is
  // routed per task through messages in any case).
  for (const stream of ["stdout", "stderr"] as const) {
    worker[stream].on("data", (chunk: Buffer) => {
      const only = handle.running.size === 1 ? [...handle.running.values()][0]!.invocation : undefined;
      if (only) only.output.write(stream, chunk);
      else process[stream].write(chunk);
    });
  }
  worker.on("message", (message: FromWorker) => receive(handle, message));
  const died = (reason: string): void => {
    handle.dead = true;
    pool.all.delete(handle);
    pool.idle = pool.idle.filter((other) => other !== handle);
    const waiting = [...handle.running.values()];
    handle.running.clear();
    for (const each of waiting) each.settle({ type: "died", reason: handle.endReason ?? reason });
  };
  worker.on("error", (error) => died(`the task's worker thread failed: ${messageOf(error)}`));
  worker.on("exit", (code) => died(`the task's worker thread ended (exit code ${code})`));
  worker.unref();
  pool.all.add(handle);
  return handle;
}

function receive(handle: TaskWorker, message: FromWorker): void {
  const waiting = handle.running.get(message.id);
  if (!waiting) return;
  if (message.type === "output") waiting.invocation?.output.write(message.stream, message.text);
  else if (message.type === "call") void answer(handle, waiting, message);
  else waiting.settle(message);
}

/** Performs a service call of the task through the attempt's own services. */
async function answer(handle: TaskWorker, waiting: Waiting, call: ServiceCall & { call: number }): Promise<void> {
  const invocation = waiting.invocation;
  let reply: ToWorker;
  try {
    if (!invocation) throw new RunnableError("INTERNAL", "no task is running");
    const value =
      call.method === "loadObjects"
        ? await loadedObjects(invocation, call.args[0])
        : await (invocation.services[call.method] as (...args: unknown[]) => Promise<unknown>)(...call.args);
    reply = { type: "reply", call: call.call, value: value as string };
  } catch (error) {
    reply = { type: "reply", call: call.call, error: { message: messageOf(error), code: (error as { code?: string }).code } };
  }
  if (!handle.dead) handle.worker.postMessage(reply);
}

/** The object parameters a worker's task names, loaded here (the catalog is this thread's), as values that cross threads. */
async function loadedObjects(invocation: TaskInvocation, wanted: string[] | null): Promise<LoadedObject[]> {
  const loaded = await loadObjects(invocation, wanted ?? undefined);
  return [...loaded].map(([name, load]) => {
    try {
      return [name, { value: load() }];
    } catch (error) {
      return [name, { error: messageOf(error) }];
    }
  });
}

/** Whether some parameter of the attempt is an object (its value is loaded from the catalog). */
export function hasObjects(invocation: TaskInvocation): boolean {
  return Object.values(invocation.parameterKinds).includes("object");
}

/** An idle thread, a new one below the cap, else the least busy; it keeps the process alive while it works. */
function take(pool: WorkerPool, waiting: Waiting): TaskWorker {
  let handle = pool.idle.pop();
  if (!handle && pool.all.size < pool.cap) handle = spawnWorker(pool);
  handle ??= [...pool.all].reduce((least, other) => (other.running.size < least.running.size ? other : least));
  handle.running.set(waiting.id, waiting);
  handle.worker.ref();
  return handle;
}

function giveBack(pool: WorkerPool, handle: TaskWorker, id: number): void {
  handle.running.delete(id);
  if (handle.dead || handle.running.size > 0) return;
  handle.worker.unref();
  pool.idle.push(handle);
}

/** Ends a thread (it is never reused); the tasks sharing it are told why. */
function end(pool: WorkerPool, handle: TaskWorker, why: string): void {
  handle.dead = true;
  handle.endReason ??= why;
  pool.all.delete(handle);
  pool.idle = pool.idle.filter((other) => other !== handle);
  void handle.worker.terminate();
}

/** Checks in a worker that a task's function can be found; resolves with the problem, if any. */
export function checkInWorker(pool: WorkerPool, target: WorkerTarget): Promise<{ message: string; hint?: string | undefined } | undefined> {
  const id = pool.nextId++;
  return new Promise((resolve) => {
    const handle = take(pool, {
      id,
      settle: (message) => {
        giveBack(pool, handle, id);
        if (message.type === "checked") resolve(message.problem);
        else resolve({ message: message.type === "died" ? message.reason : "the worker thread answered out of turn" });
      },
    });
    handle.worker.postMessage({ type: "check", id, target } satisfies ToWorker);
  });
}

/** The request of an attempt: only the parameter values the thread has not seen. */
function requestFor(handle: TaskWorker, id: number, target: WorkerTarget, invocation: TaskInvocation): RunRequest {
  const values: [string, unknown][] = [];
  const keys = Object.keys(invocation.parameters);
  for (const key of keys) {
    const value = invocation.parameters[key];
    if (handle.sent.has(key) && handle.sent.get(key) === value) continue;
    handle.sent.set(key, value);
    values.push([key, value]);
  }
  let trackerContext: Record<string, unknown> = {};
  try {
    trackerContext = structuredClone(invocation.services.trackerContext());
  } catch {
    // a context that cannot cross threads is not offered there
  }
  const { runId, tag, node, internalName, attempt, mapVariable } = invocation;
  const task = { runId, tag, stepName: node.name, internalName, attempt, mapVariable: mapVariable.map(([name, value]) => [name, value] as [string, unknown]) };
  return {
    type: "run",
    id,
    target,
    task,
    values,
    keys,
    trackerContext,
    processCookie: invocation.processCookie,
    hasObjects: hasObjects(invocation),
    rawReturn: invocation.returns.length > 0,
  };
}

/**
 * Runs one attempt in a worker thread. A stop (the run's, or the step's time limit) reaches the task
 * as its abort signal; a task still running {@link STOP_GRACE_MS} later has its thread ended.
 */
export function runInWorker(pool: WorkerPool, target: WorkerTarget, invocation: TaskInvocation): Promise<WorkerOutcome> {
  const id = pool.nextId++;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (!handle.dead) handle.worker.postMessage({ type: "abort", id, reason: invocation.signal.reason } satisfies ToWorker);
      const why = `the task's worker thread was ended: step "${invocation.internalName}", stopped, had not returned ${STOP_GRACE_MS / 1000} s later`;
      timer = setTimeout(() => end(pool, handle, why), STOP_GRACE_MS);
      timer.unref();
    };
    const handle = take(pool, {
      id,
      invocation,
      settle: (message) => {
        if (timer) clearTimeout(timer);
        invocation.signal.removeEventListener("abort", onAbort);
        giveBack(pool, handle, id);
        if (message.type === "done")
          resolve({
            ...(message.failure === undefined ? {} : { failure: message.failure }),
            parameters: message.parameters,
            metrics: message.metrics,
            ...(message.returned ? { returned: message.returned } : {}),
          });
        else resolve({ failure: message.type === "died" ? message.reason : "the worker thread answered out of turn", parameters: {}, metrics: [] });
      },
    });
    handle.worker.postMessage(requestFor(handle, id, target, invocation));
    if (invocation.signal.aborted) onAbort();
    else invocation.signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Ends every thread of the pool (the run is over). */
export async function disposeWorkerPool(pool: WorkerPool): Promise<void> {
  const all = [...pool.all];
  pool.all.clear();
  pool.idle = [];
  for (const handle of all) handle.dead = true;
  await Promise.all(all.map((handle) => handle.worker.terminate()));
}
