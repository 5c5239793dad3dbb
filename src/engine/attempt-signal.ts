import { setMaxListeners } from "node:events";
import { type StopReason, isStopReason } from "../core/stop.js";
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
  const controller = new AbortController();
  // Every task of a run listens to the run's stop: many at once is expected, not a leak.
  setMaxListeners(0, controller.signal);
  const runSignal = run.plan.stop.signal;
  const onRunStop = (): void => controller.abort(runSignal.reason);
  if (runSignal.aborted) onRunStop();
  else runSignal.addEventListener("abort", onRunStop, { once: true });
  const timer =
    limitMs === undefined ? undefined : setTimeout(() => controller.abort({ kind: "time-limit", seconds: limitMs / 1000 } satisfies StopReason), limitMs);
  timer?.unref();
  const timers: NodeJS.Timeout[] = [];
  return {
    signal: controller.signal,
    reason: () => (controller.signal.aborted && isStopReason(controller.signal.reason) ? controller.signal.reason : undefined),
    expired: (graceMs) =>
      new Promise((resolve) => {
        const arm = (): void => {
          const reason = controller.signal.reason as StopReason;
          const forced = run.plan.stop.force;
          if (forced.aborted) return resolve(reason);
          const wait = setTimeout(() => resolve(reason), graceMs);
          timers.push(wait);
          forced.addEventListener("abort", () => resolve(reason), { once: true });
        };
        if (controller.signal.aborted) arm();
        else controller.signal.addEventListener("abort", arm, { once: true });
      }),
    dispose: () => {
      if (timer) clearTimeout(timer);
      for (const wait of timers) clearTimeout(wait);
      runSignal.removeEventListener("abort", onRunStop);
    },
  };
}
