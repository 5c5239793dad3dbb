import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { outputsFromEnv, parseEnvDump } from "../../../core/env-protocol.js";
import { RunnableError } from "../../../core/errors.js";
import type { TaskInvocation, TaskOutcome, TaskRunner } from "../../../ports/task-runner.js";

const ENV_OUT = "RUNNABLE_ENV_OUT";

/**
 * Wraps the user's command so that the final environment is dumped (NUL-separated) to a private file
 * whenever the shell exits: this survives trailing comments, `exit`, `;`/`&` endings and values holding
 * newlines or `=`, and never mixes with the program's own output (fixes runnable's `&& env | grep`).
 */
export function wrapCommand(command: string): string {
  // umask 077: the dump holds the task's environment (secrets included), so only we may read it.
  return `trap 'umask 077; env -0 > "$${ENV_OUT}" 2>/dev/null' EXIT\n${command}\n`;
}

/** Creates the shell task runner. */
export function createShellRunner(): TaskRunner {
  return {
    commandTypes: ["shell"],
    async run(invocation: TaskInvocation): Promise<TaskOutcome> {
      // A private, unguessable file name (created by the shell itself, removed right after).
      const envFile = join(tmpdir(), `runnable-env-${process.pid}-${randomBytes(12).toString("hex")}`);
      try {
        const env = { ...invocation.env, [ENV_OUT]: envFile };
        const code = await runShell(wrapCommand(invocation.node.task.command), invocation, env);
        const dump = await readFile(envFile, "utf8").catch(() => "");
        const outputs = outputsFromEnv(env, parseEnvDump(dump), Date.now());
        if (code !== 0) return { failure: `Command failed with exit code ${code}`, parameters: {}, metrics: outputs.metrics };
        return outputs;
      } finally {
        await rm(envFile, { force: true });
      }
    },
  };
}

function runShell(script: string, invocation: TaskInvocation, env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", script], {
      cwd: invocation.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      signal: invocation.signal,
    });
    // Both streams are drained as they come, so a chatty stderr can never block the child.
    child.stdout.on("data", (chunk: Buffer) => invocation.output.write("stdout", chunk));
    child.stderr.on("data", (chunk: Buffer) => invocation.output.write("stderr", chunk));
    child.on("error", (error) =>
      reject(new RunnableError("TASK_FAILED", `Could not start /bin/sh: ${error.message}`, { cause: error })),
    );
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}
