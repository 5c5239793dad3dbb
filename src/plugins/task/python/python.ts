import type { TaskNode } from "../../../core/graph.js";
import type { PluginContext } from "../../../ports/plugin.js";
import type { TaskInvocation, TaskOutcome, TaskRunner } from "../../../ports/task-runner.js";
import { bootCode, openChannel } from "./channel.js";
import { checkNotebookCommand, checkPythonCommand } from "./check.js";
import { findExecutable, missingInterpreterHint } from "./interpreter.js";
import { createModuleLookup } from "./module-lookup.js";
import { notebookOutputPath, runNotebook } from "./notebook.js";
import { storeReturnedObjects } from "./objects.js";
import { outcomeOf } from "./outcome.js";
import { isPythonReducer, reduceInPython } from "./reduce.js";
import { runInWorker } from "./run-in-worker.js";
import { spawnPython } from "./spawn.js";
import { WorkerPool } from "./worker-pool.js";

/** Settings of the Python runner (each also has an environment variable). */
export interface PythonRunnerConfig {
  /** Interpreter for python tasks (`RUNNABLE_PYTHON`, default `python3` on PATH). */
  python?: string | undefined;
  /** Interpreter that runs notebooks through nbclient (`RUNNABLE_NOTEBOOK_PYTHON`). */
  notebook_python?: string | undefined;
  /** Jupyter kernel name (`RUNNABLE_NOTEBOOK_KERNEL`, default `python3`). */
  kernel?: string | undefined;
  /** Runs function tasks on warm worker processes reused by the run's steps (default true); false: one interpreter per attempt. */
  warm_worker?: boolean | undefined;
}

/** Creates the runner of `python` (functions) and `notebook` tasks. */
export function createPythonRunner(config: PythonRunnerConfig, context: PluginContext): TaskRunner {
  const python = (env: Readonly<Record<string, string | undefined>>) => config.python ?? (env["RUNNABLE_PYTHON"] || "python3");
  let notebookPython: string | undefined;
  const workers = config.warm_worker === false ? undefined : new WorkerPool();
  const found = new Map<string, Promise<string | undefined>>();
  const findModule = createModuleLookup(context.env);
  const locate = (name: string, cwd: string) => {
    if (!found.has(name)) found.set(name, findExecutable(name, context.env, cwd));
    return found.get(name)!;
  };
  const notebookInterpreters = (env: Readonly<Record<string, string | undefined>>): string[] => {
    const chosen = config.notebook_python ?? env["RUNNABLE_NOTEBOOK_PYTHON"];
    if (chosen) return [chosen];
    if (notebookPython) return [notebookPython];
    return [...new Set([python(env), "/usr/bin/python3"])];
  };
  return {
    commandTypes: ["python", "notebook"],
    parametersInEnvironment: true,
    async check(node: TaskNode, cwd: string) {
      if (node.task.command_type === "notebook") {
        const explicit = node.task["notebook_output_path"];
        return checkNotebookCommand(node, cwd, notebookOutputPath(node.task.command, typeof explicit === "string" ? explicit : undefined, []));
      }
      const interpreter = python(context.env);
      const located = await locate(interpreter, cwd);
      const installed = located ? { interpreter, find: (name: string) => findModule(located, name, cwd) } : undefined;
      const problems = await checkPythonCommand(node, cwd, installed);
      if (!located) {
        problems.push(`step "${node.internalName}": Python interpreter "${interpreter}" not found; ${missingInterpreterHint("RUNNABLE_PYTHON")}`);
      }
      return problems;
    },
    async run(invocation: TaskInvocation): Promise<TaskOutcome> {
      if (invocation.node.task.command_type === "notebook") {
        const kernel = config.kernel ?? (invocation.env["RUNNABLE_NOTEBOOK_KERNEL"] || "python3");
        const remember = (interpreter: string) => void (notebookPython = interpreter);
        return runNotebook(invocation, { interpreters: () => notebookInterpreters(invocation.env), remember, kernel });
      }
      if (workers) return runInWorker(invocation, python(invocation.env), workers);
      return runFunction(invocation, python(invocation.env));
    },
    reduces: isPythonReducer,
    reduce: (request) => reduceInPython(request, python(request.env)),
    dispose: async () => workers?.dispose(),
  };
}

/** Runs one attempt of a python function task through the harness. */
async function runFunction(invocation: TaskInvocation, interpreter: string): Promise<TaskOutcome> {
  const channel = await openChannel(invocation, {});
  try {
    const exit = await spawnPython(interpreter, ["-c", bootCode("_harness")], invocation, channel.env);
    if ("missing" in exit) {
      return { failure: `Python interpreter "${interpreter}" not found: ${missingInterpreterHint("RUNNABLE_PYTHON")}`, parameters: {}, metrics: [] };
    }
    const outputs = await channel.read();
    return storeReturnedObjects(invocation, channel.dir, outputs.result, outcomeOf(outputs, channel.env, { code: exit.code, what: "the Python task" }));
  } finally {
    await channel.close();
  }
}
