import { setMaxListeners } from "node:events";
import { type StopReason, isStopReason } from "../core/stop.js";
import { setLongTimeout } from "../io/long-timer.js";
import type { RunState } from "./run-state.js";

/** The stop signal of one attempt: the run's stop, or the step's time limit, whichever comes first. */
export interface AttemptSignal {
  signal: AbortSignal;
  /** Why the attempt was stopped, or undefined when it was not. */
  reason(): StopReason | undefined;
  /** Resolves when the attempt has been stopped for `graceMs` (for runners that cannot be killed). */
  expired(graceMs: number): Promise<StopReason>;
  dispose(): void;
}

/** Links an attempt to the run's stop and starts its time limit (`limitMs`, none when undefined). */
export function attemptSignal(run: RunState, limitMs: number | undefined): AttemptSignal {
  // Without a time limit the attempt stops exactly when the run does: its signal is the run's.
  if (limitMs === undefined) return runOnly(run);
  const controller = new AbortController();
  // Every task of a run listens to the run's stop: many at once is expected, not a leak.
  setMaxListeners(0, controller.signal);
  const runSignal = run.plan.stop.signal;
  const onRunStop = (): void => controller.abort(runSignal.reason);
  if (runSignal.aborted) onRunStop();
  else runSignal.addEventListener("abort", onRunStop, { once: true });
  // Any limit works, a year as well as a second: long ones are waited out in pieces (Node's timers overflow at ~24.8 days).
  const timer = setLongTimeout(() => controller.abort({ kind: "time-limit", seconds: limitMs / 1000 } satisfies StopReason), limitMs);
  const timers: NodeJS.Timeout[] = [];
  return {
    signal: controller.signal,
    reason: () => (controller.signal.aborted && isStopReason(controller.signal.reason) ? controller.signal.reason : undefined),
    expired: (graceMs) =>
      new Promise((resolve) => {
        const arm = (): void => {
          const reason = controller.signal.reason as StopReason;
          const forced = run.plan.stop.force;
          if (forced.aborted) {
            resolve(reason);
            return;
          }
          const wait = setTimeout(() => resolve(reason), graceMs);
          timers.push(wait);
          forced.addEventListener("abort", () => resolve(reason), { once: true });
        };
        if (controller.signal.aborted) arm();
        else controller.signal.addEventListener("abort", arm, { once: true });
      }),
    dispose: () => {
      timer.clear();
      for (const wait of timers) clearTimeout(wait);
      runSignal.removeEventListener("abort", onRunStop);
    },
  };
}

/** The stop of an attempt without a time limit: the run's own signal (no controller, no listener). */
function runOnly(run: RunState): AttemptSignal {
  const { signal, force } = run.plan.stop;
  const timers: NodeJS.Timeout[] = [];
  const listeners: Array<() => void> = [];
  return {
    signal,
    reason: () => (signal.aborted && isStopReason(signal.reason) ? signal.reason : undefined),
    expired: (graceMs) =>
      new Promise((resolve) => {
        const arm = (): void => {
          const reason = signal.reason as StopReason;
          if (force.aborted) {
            resolve(reason);
            return;
          }
          timers.push(setTimeout(() => resolve(reason), graceMs));
          force.addEventListener("abort", () => resolve(reason), { once: true });
        };
        if (signal.aborted) arm();
        else {
          signal.addEventListener("abort", arm, { once: true });
          listeners.push(arm);
        }
      }),
    dispose: () => {
      for (const timer of timers) clearTimeout(timer);
      for (const listener of listeners) signal.removeEventListener("abort", listener);
    },
  };
}
