import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReduceRequest } from "../../../ports/task-runner.js";
import { bootCode } from "./channel.js";
import { missingInterpreterHint, pythonPath } from "./interpreter.js";

/** A map reducer written in Python: a lambda, or the dotted path of a function (runnable 0.50's `reducer`). */
export function isPythonReducer(expression: string): boolean {
  return /^\s*lambda\b/.test(expression) || /^\s*[A-Za-z_]\w*(\.[A-Za-z_]\w*)+\s*$/.test(expression);
}

/** Runs the reducer with `interpreter` (`python -m runnable._reduce`) over the values; throws with why it failed. */
export async function reduceInPython(request: ReduceRequest, interpreter: string): Promise<unknown> {
  const dir = await request.scratchDir();
  const input = join(dir, "reduce.json");
  const output = join(dir, "reduced.json");
  await writeFile(input, JSON.stringify({ expression: request.expression, values: request.values }), { mode: 0o600 });
  const env = { ...request.env, PYTHONPATH: pythonPath(request.env["PYTHONPATH"]), PYTHONUNBUFFERED: "1" };
  const exit = await request.spawn({ command: interpreter, args: ["-c", bootCode("_reduce"), input, output], cwd: request.cwd, env });
  if (exit.spawnError) throw new Error(`Python interpreter "${interpreter}" not found: ${missingInterpreterHint("RUNNABLE_PYTHON")}`);
  const text = await readFile(output, "utf8").catch(() => undefined);
  const result = text === undefined ? undefined : (JSON.parse(text) as { ok: boolean; value?: unknown; error?: string });
  if (!result) throw new Error(`the Python reducer "${request.expression}" exited with code ${exit.code} without a result`);
  if (!result.ok) throw new Error(`the Python reducer "${request.expression}" failed: ${result.error}`);
  return result.value ?? null;
}
