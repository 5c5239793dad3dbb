import type { Attempt, Parameters, Status } from "../core/run-log.js";
import { cloneJson } from "../core/parameters.js";
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
    parameters: cloneJson(options.parameters),
  };
  return attempt;
}
