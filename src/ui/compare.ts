import type { RunLog } from "../core/run-log.js";
import { parseDuration } from "../core/time.js";
import { type MetricSeries, runMetrics } from "./run-details.js";
import type { RunDigest } from "./run-digest.js";

/** Values of one parameter across the compared runs (undefined where a run lacks it). */
export interface ParameterRow {
  key: string;
  /** null where a run lacks the key (see `present`). */
  values: unknown[];
  present: boolean[];
  differs: boolean;
}

/** A side-by-side comparison of runs. */
export interface Comparison {
  runs: RunDigest[];
  parameters: ParameterRow[];
  /** The last value of every metric key per run, like parameters. */
  final_metrics: ParameterRow[];
  /** Per metric key: each run's series (a map's items averaged per tracking step). */
  metrics: Array<{ key: string; numeric: boolean; series: Array<{ run_id: string; template: string; points: Array<[number, unknown]> }> }>;
  /** Per top-level step: each run's duration in ms (null where it did not run). */
  durations: Array<{ step: string; values: Array<number | null> }>;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function valueRows(maps: Array<Record<string, unknown>>): ParameterRow[] {
  const keys = [...new Set(maps.flatMap((map) => Object.keys(map)))];
  return keys.map((key) => {
    const present = maps.map((map) => Object.hasOwn(map, key));
    const values = maps.map((map) => map[key] ?? null);
    return { key, values, present, differs: present.some((p) => !p) || values.some((value) => !same(value, values[0])) };
  });
}

/** Series of one run grouped by (key, template); several items of a map are averaged per step. */
function runSeries(run: RunLog): Map<string, Map<string, MetricSeries[]>> {
  const byKey = new Map<string, Map<string, MetricSeries[]>>();
  for (const series of runMetrics(run)) {
    let byTemplate = byKey.get(series.key);
    if (!byTemplate) byKey.set(series.key, (byTemplate = new Map()));
    byTemplate.set(series.template, [...(byTemplate.get(series.template) ?? []), series]);
  }
  return byKey;
}

function mergePoints(all: MetricSeries[]): Array<[number, unknown]> {
  if (all.length === 1) return all[0]!.points.map((p) => [p.step, p.value]);
  const sums = new Map<number, { sum: number; n: number }>();
  for (const series of all) {
    for (const p of series.points) {
      if (typeof p.value !== "number") continue;
      const entry = sums.get(p.step) ?? { sum: 0, n: 0 };
      sums.set(p.step, { sum: entry.sum + p.value, n: entry.n + 1 });
    }
  }
  return [...sums].sort(([a], [b]) => a - b).map(([step, { sum, n }]) => [step, sum / n]);
}

function metricRows(runs: RunLog[]): Comparison["metrics"] {
  const grouped = runs.map(runSeries);
  const keys = [...new Set(grouped.flatMap((g) => [...g.keys()]))].sort();
  return keys.map((key) => {
    const series: Comparison["metrics"][number]["series"] = [];
    let numeric = true;
    grouped.forEach((byKey, index) => {
      for (const [template, all] of byKey.get(key) ?? []) {
        numeric &&= all.every((s) => s.numeric);
        series.push({ run_id: runs[index]!.run_id, template, points: mergePoints(all) });
      }
    });
    return { key, numeric, series };
  });
}

function durationRows(runs: RunLog[]): Comparison["durations"] {
  const steps = [...new Set(runs.flatMap((run) => Object.keys(run.steps)))];
  return steps.map((step) => ({
    step,
    values: runs.map((run) => {
      const log = run.steps[step];
      if (!log) return null;
      const ms = log.attempts.reduce((sum, a) => sum + parseDuration(a.duration) / 1000, 0);
      return Number.isFinite(ms) ? Math.round(ms * 1000) / 1000 : null;
    }),
  }));
}

/** Compares runs: parameters side by side with differences marked, metrics per key, step durations. */
export function compareRuns(runs: RunLog[], digests: RunDigest[]): Comparison {
  return {
    runs: digests,
    parameters: valueRows(runs.map((run) => run.parameters)),
    final_metrics: valueRows(digests.map((digest) => digest.metrics)),
    metrics: metricRows(runs),
    durations: durationRows(runs),
  };
}
