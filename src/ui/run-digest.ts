import type { RunLog, Status } from "../core/run-log.js";
import type { RunSummary } from "../ports/run-log-store.js";
import type { Goals } from "./metric-goals.js";
import { type MetricStats, runFinalMetrics, runMetricStats } from "./run-metrics.js";
import { walkSteps } from "./walk.js";

/** What the runs list shows of a run: its summary plus times, parameters and last metric values. */
export interface RunDigest {
  run_id: string;
  status: Status;
  /** PROCESSING but its orchestrator is gone. */
  stale: boolean;
  tag: string | null;
  pipeline_file: string | null;
  updated_ms: number | null;
  /** Epoch ms of the first attempt's start (naive local times read as this machine's local time). */
  start_ms: number | null;
  /** Epoch ms of the last attempt's end. */
  end_ms: number | null;
  /** Final parameters; long values are cut (the run page shows them whole). */
  parameters: Record<string, unknown>;
  /**
   * The final value of each metric key: what the one step log recording it holds last, or the best of
   * several (a map's items) under the metric's goal, as `metric_how` says.
   */
  metrics: Record<string, unknown>;
  /** How a metric's value was obtained when several step logs recorded it (`min over 3 items`). */
  metric_how: Record<string, string>;
  /** The stats behind `metric_how` (to take another goal: `--goal`, the run browser's toggle). */
  metric_stats: Record<string, MetricStats>;
  /** Step logs in the run (nested ones included). */
  step_count: number;
  /** Internal names of failed steps (first few). */
  failed_steps: string[];
  /** False while only the store's summary is known (the rest is being read). */
  complete: boolean;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Epoch ms of runnable's naive local timestamp `YYYY-MM-DD HH:MM:SS.ffffff`, or null. */
export function parseTimestamp(text: string | undefined): number | null {
  const match = text ? TIMESTAMP.exec(text) : null;
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = match[7] ? Number(match[7].padEnd(6, "0")) / 1000 : 0;
  return new Date(y, mo - 1, d, h, mi, s).getTime() + fraction;
}

/** A digest from the store's summary alone (before the run has been read). */
export function digestFromSummary(summary: RunSummary): RunDigest {
  return {
    run_id: summary.run_id,
    status: summary.status,
    stale: summary.stale === true,
    tag: summary.tag,
    pipeline_file: summary.pipeline_file,
    updated_ms: summary.updated_ms,
    start_ms: null,
    end_ms: null,
    parameters: {},
    metrics: {},
    metric_how: {},
    metric_stats: {},
    step_count: 0,
    failed_steps: [],
    complete: false,
  };
}

function shortValue(value: unknown): unknown {
  if (typeof value === "string") return value.length > 200 ? `${value.slice(0, 199)}…` : value;
  if (typeof value !== "object" || value === null) return value;
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : value;
}

/** A digest's metric fields from the run's metric stats (several step logs: the best under the goal). */
export function digestMetrics(stats: Record<string, MetricStats>, goals: Goals = {}): Pick<RunDigest, "metrics" | "metric_how" | "metric_stats"> {
  const metrics: Record<string, unknown> = {};
  const how: Record<string, string> = {};
  const several: Record<string, MetricStats> = {};
  for (const [key, metric] of Object.entries(runFinalMetrics(stats, goals))) {
    metrics[key] = shortValue(metric.value);
    if (metric.how) {
      how[key] = metric.how;
      several[key] = { ...stats[key]!, last: shortValue(stats[key]!.last) };
    }
  }
  return { metrics, metric_how: how, metric_stats: several };
}

/** The digest of a whole run log (linear in its size). */
export function digestRun(run: RunLog, summary: RunSummary): RunDigest {
  let start: number | null = null;
  let end: number | null = null;
  let count = 0;
  const failed: string[] = [];
  walkSteps(run, ({ step }) => {
    count++;
    if (step.status === "FAIL" && failed.length < 5 && step.step_type !== "fail") failed.push(step.internal_name);
    for (const attempt of step.attempts) {
      const s = parseTimestamp(attempt.start_time);
      const e = parseTimestamp(attempt.end_time);
      if (s !== null && (start === null || s < start)) start = s;
      if (e !== null && (end === null || e > end)) end = e;
    }
  });
  const stats = runMetricStats(run);
  const parameters = Object.fromEntries(Object.entries(run.parameters).map(([k, v]) => [k, shortValue(v)]));
  return {
    ...digestFromSummary({ ...summary, status: run.status }),
    start_ms: start,
    end_ms: end,
    parameters,
    ...digestMetrics(stats),
    step_count: count,
    failed_steps: failed,
    complete: true,
  };
}
