import { RunnableError } from "../core/errors.js";
import type { RunLog } from "../core/run-log.js";
import { type Goals, parseGoals } from "./metric-goals.js";
import { isNumeric } from "./metric-values.js";
import { runSweeps, type Sweep, type SweepItem } from "./sweep.js";

// The run page's sweep tab: the sweeps of a run without their series (the table: one row per item,
// its values, status, duration and final metrics), and one metric's series for every item of a sweep
// (a chart), in columns so that a 1,000-item sweep of 100 steps is a small answer. Sweeps are derived
// once per run log the index hands out (and per goals) and kept while that run log is.

/** Derived sweeps per run log object, per goals text (the index reuses a run log for a while). */
export type SweepCache = WeakMap<RunLog, Map<string, Sweep[]>>;

/** A sweep item for the table: everything but its series. */
export type SweepRow = Omit<SweepItem, "series">;

/** A sweep for the table. */
export type SweepTable = Omit<Sweep, "items"> & { items: SweepRow[] };

/** One item's line of a metric: its values (numbers, or null where a value is not one) at the sweep's steps, or at its own. */
export interface ItemLine {
  key: string;
  label: string;
  /** Present when the item's steps differ from the answer's shared `steps`. */
  steps?: number[];
  values: Array<number | null>;
}

/** A chart's values keep 6 significant digits (the table has the whole final values): a 1,000-item sweep stays small. */
const chartValue = (value: unknown): number | null => (isNumeric(value) ? Number(value.toPrecision(6)) : null);

const sameSteps = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((step, i) => step === b[i]);

/** The goals of a request: `goal=loss=min,acc=max`. */
export function goalsParam(params: URLSearchParams): Goals {
  const text = params.get("goal");
  return text ? parseGoals(text) : {};
}

/** The sweeps of a run under `goals`, derived once per run log. */
export function sweepsOf(cache: SweepCache, run: RunLog, goals: Goals): Sweep[] {
  const key = JSON.stringify(goals);
  let perGoals = cache.get(run);
  if (!perGoals) cache.set(run, (perGoals = new Map()));
  let sweeps = perGoals.get(key);
  if (!sweeps) perGoals.set(key, (sweeps = runSweeps(run, goals)));
  return sweeps;
}

/** The sweeps of a run for their tables (no series). */
export function sweepTables(sweeps: readonly Sweep[]): SweepTable[] {
  return sweeps.map(({ items, ...sweep }) => ({ ...sweep, items: items.map(({ series: _series, ...row }) => row) }));
}

/** One metric's line per item of one sweep (by its step template); `steps` are the steps most items share. */
export function sweepLines(sweeps: readonly Sweep[], step: string, metric: string): { step: string; metric: string; steps: number[]; lines: ItemLine[] } {
  const sweep = sweeps.find((s) => s.step === step);
  if (!sweep)
    throw new RunnableError("RUN_NOT_FOUND", `The run has no map or parallel step ${step}`, {
      hint: `Its sweeps: ${sweeps.map((s) => s.step).join(", ") || "none"}`,
    });
  if (!sweep.metrics.some((m) => m.name === metric)) throw new RunnableError("RUN_NOT_FOUND", `The items of ${step} record no metric ${metric}`);
  const lines: ItemLine[] = [];
  let shared: number[] | undefined;
  for (const item of sweep.items) {
    const points = item.series[metric];
    if (!points) continue;
    const steps = points.map((p) => p[0]);
    shared ??= steps;
    const line: ItemLine = { key: item.key, label: item.label, values: points.map((p) => chartValue(p[1])) };
    if (!sameSteps(steps, shared)) line.steps = steps;
    lines.push(line);
  }
  return { step, metric, steps: shared ?? [], lines };
}
