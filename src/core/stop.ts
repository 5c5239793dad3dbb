/** Why a running step or run is being stopped. */
export type StopReason =
  | { kind: "signal"; signal: "SIGINT" | "SIGTERM" | "SIGHUP" }
  | { kind: "time-limit"; seconds: number }
  | { kind: "request"; message: string };

/** The signals that stop a run (the CLI listens to these). */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Exit code of a process stopped by `signal` (128 + its number, as shells report it). */
export function signalExitCode(signal: (typeof STOP_SIGNALS)[number]): number {
  return 128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal];
}

/** The message an attempt stopped for `reason` records. */
export function stopMessage(reason: StopReason): string {
  switch (reason.kind) {
    case "signal":
      return `interrupted by ${reason.signal}: the run was stopped while this step was running`;
    case "time-limit":
      return `stopped after exceeding its time limit of ${formatSeconds(reason.seconds)} (max_step_duration_in_seconds)`;
    case "request":
      return `stopped: ${reason.message}`;
  }
}

/** True when `value` is a StopReason (an AbortSignal's reason may be anything). */
export function isStopReason(value: unknown): value is StopReason {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === "signal" || kind === "time-limit" || kind === "request";
}

function formatSeconds(seconds: number): string {
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}
