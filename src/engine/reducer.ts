import { rm } from "node:fs/promises";
import type { MapNode } from "../core/graph.js";
import { messageOf } from "../core/errors.js";
import type { TaskRunner } from "../ports/task-runner.js";
import { type Reducer, type ReducerLookup, builtinReducer } from "./fan-in.js";
import { createLauncher } from "./process-launcher.js";
import type { RunState } from "./run-state.js";
import { runVariables } from "./task-env.js";

/** Output of a reducer's process kept for its failure message. */
const KEPT_OUTPUT = 4_000;

/**
 * The reducers of a run's maps: built-in names and SDK functions, else a reducer written in a task's
 * language (runnable 0.50's `reducer: "lambda *x: max(x)"` or a dotted function path), evaluated by the
 * task runner that says it `reduces` it (the python runner, in the run's Python).
 */
export function reducerLookup(run: RunState): ReducerLookup {
  return (node: MapNode) => {
    const builtin = builtinReducer(node);
    if (typeof builtin !== "string" || !node.reducer) return builtin;
    const runner = run.services.reducer?.(node.reducer);
    if (!runner?.reduce) return builtin;
    const expression = node.reducer;
    return ((values: unknown[]) => runReducer(run, expression, values, runner.reduce!.bind(runner))) satisfies Reducer;
  };
}

async function runReducer(run: RunState, expression: string, values: unknown[], reduce: NonNullable<TaskRunner["reduce"]>): Promise<unknown> {
  let output = "";
  const sink = { write: (_stream: string, chunk: string | Uint8Array) => void (output = (output + chunk.toString()).slice(-KEPT_OUTPUT)) };
  const spawn = createLauncher({
    output: sink,
    signal: run.plan.stop.signal,
    force: run.plan.stop.force,
    graceMs: run.services.stopGraceMs,
    registry: run.services.processes,
  });
  let scratch: Promise<string> | undefined;
  try {
    return await reduce({
      expression,
      values,
      cwd: run.plan.cwd,
      env: { ...run.baseEnv, ...runVariables(run.plan.runId, run.plan.tag, 1) },
      spawn,
      scratchDir: () => (scratch ??= run.services.scratchDir()),
      signal: run.plan.stop.signal,
    });
  } catch (error) {
    const shown = output.trim();
    throw new Error(shown ? `${messageOf(error)}\n${shown}` : messageOf(error));
  } finally {
    if (scratch) {
      const dir = await scratch;
      await (run.services.releaseScratchDir?.(dir) ?? rm(dir, { recursive: true, force: true }));
    }
  }
}
