import type { RunLog } from "../core/run-log.js";
import { parseDuration } from "../core/time.js";
import type { Goals } from "./metric-goals.js";
import { runMetrics } from "./run-details.js";
import { type RunDigest, digestMetrics } from "./run-digest.js";
import { runSweeps, type Sweep } from "./sweep.js";

/** Values of one parameter (or final metric) across the compared runs. */
export interface ParameterRow {
  key: string;
  /** null where a run lacks the key (see `present`). */
  values: unknown[];
  present: boolean[];
  differs: boolean;
  /** Final metrics: how each run's value was obtained when several step logs recorded it (`min over 3 items`), else null. */
  how?: Array<string | null>;
}

/** One item (iterate value) of a sweep across the compared runs, matched by its label (`lr=0.01`). */
export interface ItemRow {
  label: string;
  /** Per run: the item's status and final metrics, or null where the run has no such item. */
  runs: Array<{ key: string; status: string; duration_ms: number | null; final: Record<string, unknown> } | null>;
}

/** The items of one sweep (a map or parallel step) across the compared runs. */
export interface SweepComparison {
  step: string;
  kind: Sweep["kind"];
  names: string[];
  metrics: string[];
  rows: ItemRow[];
}

/** One line of a compared metric: a run's step, or one item of its map (labelled). */
export interface ComparedSeries {
  run_id: string;
  template: string;
  /** The item's label (`lr=0.01`), or null outside maps. */
  item: string | null;
  points: Array<[number, unknown]>;
}

/** A side-by-side comparison of runs. */
export interface Comparison {
  runs: RunDigest[];
  parameters: ParameterRow[];
  /** The final value of every metric key per run (the best of a map's items, said so in `how`). */
  final_metrics: ParameterRow[];
  /** Each sweep's items matched across runs by their iterate values. */
  items: SweepComparison[];
  /** Per metric key: one line per run and step, and per item of a map (never averaged). */
  metrics: Array<{ key: string; numeric: boolean; series: ComparedSeries[] }>;
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

function finalRows(digests: RunDigest[], goals: Goals): ParameterRow[] {
  const taken = digests.map((digest) => ({ ...digest, ...(Object.keys(goals).length ? retaken(digest, goals) : {}) }));
  return valueRows(taken.map((d) => d.metrics)).map((row) => ({ ...row, how: taken.map((d) => d.metric_how[row.key] ?? null) }));
}

function retaken(digest: RunDigest, goals: Goals): Pick<RunDigest, "metrics" | "metric_how"> {
  const again = digestMetrics(digest.metric_stats, goals);
  return { metrics: { ...digest.metrics, ...again.metrics }, metric_how: { ...digest.metric_how, ...again.metric_how } };
}

/** Each sweep's items across runs: rows in the order the items first appear, matched by label. */
function itemRows(sweepsPerRun: Sweep[][]): SweepComparison[] {
  const byStep = new Map<string, SweepComparison>();
  const rowsByStep = new Map<string, Map<string, ItemRow>>();
  sweepsPerRun.forEach((sweeps, runIndex) => {
    for (const sweep of sweeps) {
      let entry = byStep.get(sweep.step);
      if (!entry) byStep.set(sweep.step, (entry = { step: sweep.step, kind: sweep.kind, names: sweep.names, metrics: [], rows: [] }));
      for (const metric of sweep.metrics) if (!entry.metrics.includes(metric.name)) entry.metrics.push(metric.name);
      let rows = rowsByStep.get(sweep.step);
      if (!rows) rowsByStep.set(sweep.step, (rows = new Map()));
      for (const item of sweep.items) {
        let row = rows.get(item.label);
        if (!row) {
          row = { label: item.label, runs: sweepsPerRun.map(() => null) };
          rows.set(item.label, row);
          entry.rows.push(row);
        }
        row.runs[runIndex] = { key: item.key, status: item.status, duration_ms: item.duration_ms, final: item.final };
      }
    }
  });
  return [...byStep.values()];
}

/** The label of the innermost item a step (by internal name) sits in, from the items' keys. */
function itemOf(labels: ReadonlyMap<string, string>, internalName: string): string | null {
  let found: string | null = null;
  for (let at = internalName.indexOf("."); at >= 0; at = internalName.indexOf(".", at + 1)) found = labels.get(internalName.slice(0, at)) ?? found;
  return found;
}

function metricRows(runs: RunLog[], sweepsPerRun: Sweep[][]): Comparison["metrics"] {
  const byKey = new Map<string, { numeric: boolean; series: ComparedSeries[] }>();
  runs.forEach((run, index) => {
    const labels = new Map(sweepsPerRun[index]!.flatMap((sweep) => sweep.items.map((item) => [item.key, item.label] as const)));
    for (const series of runMetrics(run)) {
      let entry = byKey.get(series.key);
      if (!entry) byKey.set(series.key, (entry = { numeric: true, series: [] }));
      entry.numeric &&= series.numeric;
      const item = series.item === null ? null : itemOf(labels, series.step);
      entry.series.push({ run_id: run.run_id, template: series.template, item, points: series.points.map((p) => [p.step, p.value]) });
    }
  });
  return [...byKey.keys()].sort().map((key) => ({ key, ...byKey.get(key)! }));
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

/** Compares runs: parameters and final metrics side by side (differences marked), items matched by iterate value, metric lines, step durations. */
export function compareRuns(runs: RunLog[], digests: RunDigest[], goals: Goals = {}): Comparison {
  const sweeps = runs.map((run) => runSweeps(run, goals));
  return {
    runs: digests,
    parameters: valueRows(runs.map((run) => run.parameters)),
    final_metrics: finalRows(digests, goals),
    items: itemRows(sweeps),
    metrics: metricRows(runs, sweeps),
    durations: durationRows(runs),
  };
}
