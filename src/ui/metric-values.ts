import { decodeMetricTimes } from "../core/metrics.js";
import type { Attempt, StepLog } from "../core/run-log.js";

/** One recorded value of a metric key at a tracking step. */
export interface MetricPoint {
  step: number;
  value: unknown;
  /** Epoch ms when it was recorded, when the run log says so. */
  time_ms: number | null;
}

const STEP_KEY = /^(0|[1-9]\d*)$/;

/** True for runnable's step-wise shape `{"<step>": value}` (every key a step number). */
export function isStepwise(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => STEP_KEY.test(key));
}

/** True for values a chart can plot. */
export function isNumeric(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function successfulAttempt(step: StepLog): Attempt | undefined {
  return step.attempts.findLast((attempt) => attempt.status === "SUCCESS") ?? step.attempts.at(-1);
}

/** The points of every metric key of a step (its `user_defined_metrics`), ordered by tracking step. */
export function stepMetricPoints(step: StepLog): Map<string, MetricPoint[]> {
  const times = successfulAttempt(step)?.metric_times_ms ?? {};
  const result = new Map<string, MetricPoint[]>();
  for (const [key, recorded] of Object.entries(step.user_defined_metrics)) {
    const entries: Array<[string, unknown]> = isStepwise(recorded) ? Object.entries(recorded) : [["0", recorded]];
    const keyTimes = decodeMetricTimes(
      times[key],
      entries.map(([at]) => Number(at)),
    );
    const points = entries.map(([at, value]) => ({ step: Number(at), value, time_ms: keyTimes.get(Number(at)) ?? null }));
    result.set(
      key,
      points.sort((a, b) => a.step - b.step),
    );
  }
  return result;
}

/** The value at the highest tracking step of each key of a step. */
export function lastMetricValues(step: StepLog): Record<string, unknown> {
  const last: Record<string, unknown> = {};
  for (const [key, points] of stepMetricPoints(step)) last[key] = points.at(-1)?.value;
  return last;
}
