import { spawn } from "node:child_process";
import type { OutputSink } from "../../../ports/task-runner.js";

/** How a Python process ended: its exit code, or `missing` when the interpreter could not be started. */
export type PythonExit = { code: number } | { missing: string };

/** Runs `interpreter ...args`, streaming both output streams to `output` as they come. */
export function spawnPython(
  interpreter: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; output: OutputSink; signal?: AbortSignal | undefined },
): Promise<PythonExit> {
  return new Promise((done) => {
    const child = spawn(interpreter, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    child.stdout.on("data", (chunk: Buffer) => options.output.write("stdout", chunk));
    child.stderr.on("data", (chunk: Buffer) => options.output.write("stderr", chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "EACCES") done({ missing: error.message });
      else done({ code: 1 });
    });
    child.on("close", (code, signal) => done({ code: code ?? (signal ? 128 : 1) }));
  });
}
