import type { Attempt, Parameters, Status } from "../core/run-log.js";
import { formatDuration, formatTimestamp } from "../core/time.js";

/** Builds an attempt record from its start time, outcome and input parameters. */
export function makeAttempt(options: {
  number: number;
  startedMicros: number;
  endedMicros: number;
  status: Status;
  message: string;
  parameters: Parameters;
}): Attempt {
  const ended = options.endedMicros;
  const attempt: Attempt = {
    attempt_number: options.number,
    start_time: formatTimestamp(options.startedMicros),
    end_time: formatTimestamp(ended),
    duration: formatDuration(ended - options.startedMicros),
    status: options.status,
    message: options.message,
    // A shallow copy: scope values are never changed in place, only replaced (see scope.ts).
    parameters: { ...options.parameters },
  };
  return attempt;
}
