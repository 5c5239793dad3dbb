import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { outputsFromEnv } from "../../../core/env-protocol.js";
import { RunnableError } from "../../../core/errors.js";
import type { TaskInvocation, TaskOutcome, TaskRunner } from "../../../ports/task-runner.js";
import { parseExportDump } from "./export-dump.js";
import { plainVariables, shellReturns } from "./plain-env.js";

const ENV_OUT = "RUNNABLE_ENV_OUT";

/**
 * Wraps the user's command so that the final environment is dumped to a private file whenever the
 * shell exits, with the `export -p` builtin (no extra process; quoted, so values may hold newlines,
 * quotes or `=`): this survives trailing comments, `exit`, `;`/`&` endings, and never mixes with the
 * program's own output (fixes runnable's `&& env | grep`).
 */
export function wrapCommand(command: string): string {
  // umask 077: the dump holds the task's environment (secrets included), so only we may read it.
  return `trap 'umask 077; export -p > "$${ENV_OUT}" 2>/dev/null' EXIT\n${command}\n`;
}

/**
 * The dump the shell just wrote (empty when it wrote none). Read synchronously on purpose: it is small
 * and in the page cache, so this takes ~10 µs of the main thread, where `fs.promises.readFile` takes
 * ~160 µs of it (four thread-pool round trips).
 */
function readDump(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Creates the shell task runner. */
export function createShellRunner(): TaskRunner {
  return {
    commandTypes: ["shell"],
    parametersInEnvironment: true,
    async check(node) {
      // runnable 0.50's rule: a shell task hands back environment variables, which cannot hold objects.
      return (node.returns ?? [])
        .filter((r) => r.kind === "object")
        .map((r) => `step "${node.internalName}": a shell task cannot return objects (returns "${r.name}" has kind object); return it as json or metric`);
    },
    async run(invocation: TaskInvocation): Promise<TaskOutcome> {
      // In the attempt's private folder (emptied after the attempt, or removed by the next run after a crash).
      const envFile = join(await invocation.scratchDir(), "env.dump");
      const env = { ...invocation.env, ...plainVariables(invocation), [ENV_OUT]: envFile };
      const script = wrapCommand(invocation.node.task.command);
      const exit = await invocation.spawn({ command: "/bin/sh", args: ["-c", script], cwd: invocation.cwd, env });
      if (exit.spawnError) throw new RunnableError("TASK_FAILED", `Could not start /bin/sh: ${exit.spawnError.message}`, { cause: exit.spawnError });
      const final = parseExportDump(readDump(envFile));
      const outputs = outputsFromEnv(env, final, Date.now());
      if (exit.code !== 0) return { failure: `Command failed with exit code ${exit.code}${signalNote(exit)}`, parameters: {}, metrics: outputs.metrics };
      return { ...outputs, returns: shellReturns(invocation, final) };
    },
  };
}

/** ` (killed by SIGKILL)` for a command a signal ended (or whose shell reports 128 + a signal's number). */
function signalNote(exit: { code: number; signal: string | null }): string {
  if (exit.signal) return ` (killed by ${exit.signal})`;
  const name = exit.code > 128 ? Object.entries(constants.signals).find(([, number]) => number === exit.code - 128)?.[0] : undefined;
  return name ? ` (the code of a process killed by ${name})` : "";
}
