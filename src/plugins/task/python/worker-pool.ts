import type { PythonWorker } from "./worker.js";

/**
 * The warm workers of one runner (so of one run): idle ones by key (interpreter, working directory and
 * the Python start-up variables), each busy with at most one task, all ended by `dispose`. Concurrent
 * tasks (parallel branches, map items) get separate workers.
 */
export class WorkerPool {
  private readonly idle = new Map<string, PythonWorker[]>();
  private readonly all = new Set<PythonWorker>();
  private readonly executables = new Map<string, string>();

  /** An idle live worker for `key`, now busy; undefined when there is none. */
  take(key: string): PythonWorker | undefined {
    const list = this.idle.get(key) ?? [];
    for (let worker = list.pop(); worker; worker = list.pop()) if (!worker.dead) return worker;
    return undefined;
  }

  /** Counts a newly started worker in (busy); remembers the binary its interpreter name resolved to. */
  add(interpreter: string, worker: PythonWorker): void {
    this.all.add(worker);
    if (worker.executable.startsWith("/")) this.executables.set(interpreter, worker.executable);
  }

  /** Hands a worker back after its task; a dead one is dropped. */
  give(key: string, worker: PythonWorker): void {
    if (worker.dead) {
      this.all.delete(worker);
      return;
    }
    const list = this.idle.get(key) ?? [];
    list.push(worker);
    this.idle.set(key, list);
  }

  /** Forgets a worker that died or was stopped. */
  drop(worker: PythonWorker): void {
    this.all.delete(worker);
  }

  /** The binary to start for `interpreter`: the one a worker reported (a pyenv shim resolved once per run). */
  executableFor(interpreter: string): string {
    return this.executables.get(interpreter) ?? interpreter;
  }

  /** Ends every worker (the run is over). */
  async dispose(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.clear();
    await Promise.all(workers.map((worker) => worker.close()));
  }
}

/** The pool key of a task: workers are shared only where a fresh interpreter would start the same way. */
export function workerKey(interpreter: string, cwd: string, env: Readonly<Record<string, string>>): string {
  const startup = Object.keys(env)
    .filter((name) => name.startsWith("PYTHON"))
    .sort()
    .map((name) => `${name}=${env[name]}`);
  return [interpreter, cwd, ...startup].join("\0");
}
