import { spawn } from "node:child_process";
import { constants } from "node:os";
import { type StopReason, isStopReason } from "../core/stop.js";
import type { OutputSink, ProcessLauncher, ProcessResult, ProcessSpec } from "../ports/task-runner.js";
import type { ProcessRegistry } from "./services.js";

/** After its group was killed, a process whose output pipes stay open (a daemonised grandchild) is given up on after this. */
const PIPE_DRAIN_MS = 1_000;

/** What a launcher needs: where output goes, when to stop, how to stop, and who must know the groups. */
export interface LauncherOptions {
  output: OutputSink;
  /** The attempt's stop signal (its reason a StopReason). */
  signal: AbortSignal;
  /** Aborted when stopping must not wait: SIGKILL at once. */
  force: AbortSignal;
  graceMs: number;
  registry: ProcessRegistry;
}

/** The signal a stopped group gets first: the one that stopped the run, SIGTERM for a time limit. */
function stopSignalOf(reason: unknown): NodeJS.Signals {
  return isStopReason(reason) && reason.kind === "signal" ? reason.signal : "SIGTERM";
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

const signalNumber = (signal: NodeJS.Signals): number => (constants.signals as Record<string, number>)[signal] ?? 0;

/**
 * A launcher starting each process as the leader of its own process group (so a stop reaches its
 * children too), streaming both outputs to the sink as they come, and stopping the whole group when
 * the attempt is stopped: the stop signal, then SIGKILL after the grace period.
 */
export function createLauncher(options: LauncherOptions): ProcessLauncher {
  return (spec) => launch(spec, options);
}

function launch(spec: ProcessSpec, options: LauncherOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: spec.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const pid = child.pid;
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const finish = (result: ProcessResult): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal.removeEventListener("abort", onStop);
      options.force.removeEventListener("abort", onForce);
      if (pid !== undefined) options.registry.remove(pid);
      resolve(result);
    };
    const onForce = (): void => {
      if (pid !== undefined) killGroup(pid, "SIGKILL");
    };
    const onStop = (): void => {
      if (pid === undefined) return;
      killGroup(pid, stopSignalOf(options.signal.reason as StopReason));
      const timer = setTimeout(onForce, options.graceMs);
      timer.unref();
      timers.push(timer);
    };
    child.stdout.on("data", (chunk: Buffer) => options.output.write("stdout", chunk));
    child.stderr.on("data", (chunk: Buffer) => options.output.write("stderr", chunk));
    child.on("error", (error: NodeJS.ErrnoException) => finish({ code: 127, signal: null, spawnError: explained(error) }));
    child.on("exit", (code, signal) => {
      // The leader is gone; what is left of its group goes too, and pipes held open by escaped
      // grandchildren must not keep the step waiting.
      if (pid !== undefined) killGroup(pid, "SIGKILL");
      const result = { code: code ?? (signal ? 128 + signalNumber(signal) : 1), signal };
      const timer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(result);
      }, PIPE_DRAIN_MS);
      timer.unref();
      timers.push(timer);
      child.once("close", () => finish(result));
    });
    if (pid === undefined) return;
    options.registry.add(pid);
    if (options.signal.aborted) onStop();
    else options.signal.addEventListener("abort", onStop, { once: true });
    options.force.addEventListener("abort", onForce, { once: true });
  });
}

/** A spawn error as users can act on it (E2BIG says only "argument list too long"). */
function explained(error: NodeJS.ErrnoException): NodeJS.ErrnoException {
  if (error.code !== "E2BIG") return error;
  const message = `${error.message}: the task's environment is too large to start a process (on Linux one variable holds at most 128 KiB, all of them together about 2 MB); parameters travel as RUNNABLE_PRM_* variables: keep large data in the catalog instead`;
  return Object.assign(new Error(message), { code: error.code, errno: error.errno, syscall: error.syscall });
}
