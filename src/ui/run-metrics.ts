import type { RunLog } from "../core/run-log.js";
import { type Goal, type Goals, goalOf } from "./metric-goals.js";
import { isNumeric, lastMetricValues } from "./metric-values.js";
import { walkSteps } from "./walk.js";

// A run's "final" value of a metric. A metric recorded by one step log has one final value; recorded by
// several (the items of a map, or several steps), the run-level value is the best of them under the
// metric's goal and says so ("min over 3 items"), never silently the last one.

/** How a run's final value of a metric was obtained from several step logs. */
export interface MetricStats {
  /** Step logs that recorded the key. */
  count: number;
  /** `items` when every one sits in a map item or parallel branch, else `steps`. */
  over: "items" | "steps";
  /** Smallest and largest numeric final value (null when none is a number). */
  min: number | null;
  max: number | null;
  /** The final value of the step log that ran last. */
  last: unknown;
  /** Every final value is a number. */
  numeric: boolean;
}

/** A run's final value of one metric and, when several step logs recorded it, how it was obtained. */
export interface RunMetric {
  value: unknown;
  /** e.g. `min over 3 items`; absent when one step log recorded the metric. */
  how?: string;
}

/** The final value of each metric key per step log, folded into {@link MetricStats}. */
export function runMetricStats(run: Pick<RunLog, "steps">): Record<string, MetricStats> {
  const stats: Record<string, MetricStats> = {};
  walkSteps(run, ({ step, location }) => {
    for (const [key, value] of Object.entries(lastMetricValues(step))) {
      const entry = stats[key] ?? { count: 0, over: "items", min: null, max: null, last: undefined, numeric: true };
      entry.count++;
      if (location.length === 0) entry.over = "steps";
      entry.last = value;
      if (isNumeric(value)) {
        entry.min = entry.min === null ? value : Math.min(entry.min, value);
        entry.max = entry.max === null ? value : Math.max(entry.max, value);
      } else entry.numeric = false;
      stats[key] = entry;
    }
  });
  return stats;
}

/** The run-level value of one metric from its stats, under its goal (the best of several, said so). */
export function runMetric(key: string, stats: MetricStats, goals: Goals = {}): RunMetric {
  if (stats.count <= 1) return { value: stats.last };
  if (!stats.numeric || stats.min === null) return { value: stats.last, how: `last of ${stats.count} ${stats.over} (not all numbers)` };
  const goal: Goal = goalOf(key, goals);
  return { value: goal === "min" ? stats.min : stats.max, how: `${goal} over ${stats.count} ${stats.over}` };
}

/** Every metric's run-level value (see {@link runMetric}). */
export function runFinalMetrics(stats: Readonly<Record<string, MetricStats>>, goals: Goals = {}): Record<string, RunMetric> {
  return Object.fromEntries(Object.entries(stats).map(([key, s]) => [key, runMetric(key, s, goals)]));
}
