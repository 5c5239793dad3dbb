import type { TaskInvocation } from "../../../ports/task-runner.js";

/** How a Python process ended: its exit code, or `missing` when the interpreter could not be started. */
export type PythonExit = { code: number } | { missing: string };

/** Runs `interpreter ...args` as a supervised process of the attempt, streaming both outputs to its log. */
export async function spawnPython(
  interpreter: string,
  args: string[],
  invocation: Pick<TaskInvocation, "cwd" | "spawn">,
  env: Record<string, string>,
): Promise<PythonExit> {
  const exit = await invocation.spawn({ command: interpreter, args, cwd: invocation.cwd, env });
  if (exit.spawnError) {
    const code = exit.spawnError.code;
    return code === "ENOENT" || code === "EACCES" ? { missing: exit.spawnError.message } : { code: 1 };
  }
  return { code: exit.code };
}
