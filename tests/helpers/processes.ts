import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cliCommand } from "./cli.js";

/** A `runnable` process started in the background, to be signalled or killed. */
export interface BackgroundCli {
  child: ChildProcess;
  pid: number;
  /** Resolves when it exits: its code (or 128+n when a signal killed it) and what it printed. */
  exited: Promise<{ code: number; signal: string | null; stdout: string; stderr: string; ms: number }>;
  /** Everything printed so far. */
  output(): string;
  /** Sends a signal to the process (or, with `group`, to its whole process group); `exited.ms` counts from the first. */
  signal(signal: NodeJS.Signals, options?: { group?: boolean }): void;
}

/** Starts the built `runnable ...args` in `cwd` (see cliCommand); `group: true` makes it the leader of its own process group. */
export function startCli(args: string[], options: { cwd: string; env?: Record<string, string>; group?: boolean }): BackgroundCli {
  const command = cliCommand({ ...process.env, ...options.env });
  const child = spawn(command.program, [...command.args, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.group ?? false,
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let signalledAt = 0;
  const exited = new Promise<{ code: number; signal: string | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code: code ?? 128, signal, stdout, stderr, ms: signalledAt ? Date.now() - signalledAt : 0 }));
  });
  const signal = (name: NodeJS.Signals, signalOptions: { group?: boolean } = {}): void => {
    signalledAt ||= Date.now();
    process.kill(signalOptions.group ? -child.pid! : child.pid!, name);
  };
  return { child, pid: child.pid!, exited, output: () => stdout + stderr, signal };
}

/** Waits until `condition` holds (polling), or fails after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Pids of live processes whose command line contains `marker` (zombies excluded). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const state = /\) (\S)/.exec(readFileSync(`/proc/${name}/stat`, "utf8"))?.[1];
      if (state === "Z") continue;
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes(marker)) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
