import { STOP_SIGNALS, type StopReason, signalExitCode } from "../core/stop.js";
import type { RunStop } from "../engine/services.js";

/** After the first stop signal, the CLI exits on its own after this long even if something hangs. */
const EXIT_DEADLINE_MS = 15_000;
/** After a second signal (processes killed at once), records get this long to be written. */
const FORCED_EXIT_MS = 3_000;

/**
 * Stop controls fed by SIGINT, SIGTERM and SIGHUP: the first signal stops the run (running task groups
 * get the same signal, then SIGKILL after the grace period); a second one kills them at once. The
 * process exits by itself if stopping hangs, with the code a shell gives to that signal.
 */
export function signalStop(write: (text: string) => void): { stop: RunStop; dispose: () => void } {
  const stopping = new AbortController();
  const forcing = new AbortController();
  let first: (typeof STOP_SIGNALS)[number] | undefined;
  const deadline = (ms: number): void => {
    const timer = setTimeout(() => {
      write(`runnable: still stopping after ${Math.round(ms / 1000)} s; exiting now (the run log is left as written so far)\n`);
      process.exit(signalExitCode(first ?? "SIGINT"));
    }, ms);
    timer.unref();
  };
  const handler = (signal: (typeof STOP_SIGNALS)[number]): void => {
    if (!first) {
      first = signal;
      write(`\nrunnable: ${signal} received: stopping the run (again to kill running steps at once)\n`);
      stopping.abort({ kind: "signal", signal } satisfies StopReason);
      deadline(EXIT_DEADLINE_MS);
      return;
    }
    if (!forcing.signal.aborted) {
      write(`runnable: ${signal} received again: killing running steps now\n`);
      forcing.abort();
      deadline(FORCED_EXIT_MS);
    }
  };
  const listeners = STOP_SIGNALS.map((signal) => [signal, () => handler(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  return {
    stop: { signal: stopping.signal, force: forcing.signal },
    dispose: () => {
      for (const [signal, listener] of listeners) process.off(signal, listener);
    },
  };
}
