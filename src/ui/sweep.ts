import type { BranchLog, LogLocation, RunLog, Status, StepLog } from "../core/run-log.js";
import { type Goal, type Goals, better, goalOf } from "./metric-goals.js";
import { isNumeric, stepMetricPoints } from "./metric-values.js";
import { parseTimestamp } from "./run-digest.js";
import { branchLabel } from "./walk.js";

// A sweep is what a map (or a parallel step) makes of one pipeline step: one item per branch, each
// with its own identity (its iterate value), status, duration, metrics by step and final metrics. The
// run log keeps runnable's shape (metrics sit in the branch's step logs); this view is derived from it
// and used by `runs show`, `runs compare` and the run browser alike. Items of a map nested in another
// map belong to one sweep, each labelled with the values of every enclosing map (`lr=0.1, seed=2`).

/** One iterate value of an item: a map's `iterate_as` and the item, or a parallel step and its branch. */
export interface ItemValue {
  name: string;
  value: unknown;
  /** `map`: `name=value`; `parallel`: the branch name alone. */
  kind: "map" | "parallel";
}

/** One map item or parallel branch. */
export interface SweepItem {
  /** The branch's internal name (its key in the run log). */
  key: string;
  /** `lr=0.01` (outer maps first: `lr=0.01, seed=2`), or the parallel branch's name. */
  label: string;
  values: ItemValue[];
  status: Status;
  /** Wall time from the item's first attempt start to its last attempt end. */
  duration_ms: number | null;
  location: LogLocation;
  /** The last recorded value of each metric (by metric name, see {@link SweepMetric}). */
  final: Record<string, unknown>;
  /** Every recorded point of each metric, by tracking step. */
  series: Record<string, Array<[number, unknown]>>;
}

/** A metric of a sweep: its key, or `<step>/<key>` when several steps of an item record the key. */
export interface SweepMetric {
  name: string;
  key: string;
  /** The step inside the item that records it (relative to the item). */
  step: string;
  goal: Goal;
  /** Every item's final value is a number. */
  numeric: boolean;
  /** Most points one item recorded (1: a single value per item, nothing to chart by step). */
  points: number;
  /** Keys of the items with the best and the worst final value (numeric metrics). */
  best: string | null;
  worst: string | null;
}

/** The items of one map (or parallel) step of the pipeline. */
export interface Sweep {
  /** The step's internal name with map items as `*` (`sweep`, `outer.*.inner`). */
  step: string;
  kind: "map" | "parallel";
  /** The names of the item values, outermost first (`["lr"]`, `["lr", "seed"]`). */
  names: string[];
  metrics: SweepMetric[];
  items: SweepItem[];
}

interface DefGraph {
  steps?: Record<string, { type?: string; iterate_as?: string; branch?: DefGraph; branches?: Record<string, DefGraph> }>;
}

/** `iterate_as` of every map step of `run_config.dag`, by template (`sweep`, `outer.*.inner`). */
function iterateNames(dag: unknown): Map<string, string> {
  const names = new Map<string, string>();
  const walk = (graph: DefGraph | undefined, prefix: string): void => {
    for (const [name, node] of Object.entries(graph?.steps ?? {})) {
      const template = prefix ? `${prefix}.${name}` : name;
      if (node.type === "map" && typeof node.iterate_as === "string") names.set(template, node.iterate_as);
      if (node.type === "map") walk(node.branch, `${template}.*`);
      else if (node.type === "dag") walk(node.branch, `${template}.dag`);
      for (const [branch, sub] of Object.entries(node.branches ?? {})) walk(sub, `${template}.${branch}`);
    }
  };
  walk(dag as DefGraph, "");
  return names;
}

/** An item's value: the branch's recorded parameter, else its key's text read as JSON (else as text). */
function itemValue(branch: BranchLog, label: string, iterateAs: string | undefined): unknown {
  if (iterateAs && branch.parameters && Object.hasOwn(branch.parameters, iterateAs)) return branch.parameters[iterateAs];
  const text = label.replace(/#\d+$/, "");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Text of a value in labels: strings as they are, others as JSON. */
export function valueText(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "null");
}

/** `lr=0.01, seed=2` (parallel branches by name). */
export function itemLabel(values: readonly ItemValue[]): string {
  return values.map((v) => (v.kind === "map" ? `${v.name}=${valueText(v.value)}` : valueText(v.value))).join(", ");
}

interface RawMetric {
  step: string;
  key: string;
  points: Array<[number, unknown]>;
}
interface Collecting {
  item: SweepItem;
  raw: RawMetric[];
  start: number | null;
  end: number | null;
}
interface WalkState {
  names: Map<string, string>;
  sweeps: Map<string, { sweep: Sweep; items: Collecting[] }>;
}

function noteTimes(into: Collecting, step: StepLog): void {
  for (const attempt of step.attempts) {
    const s = parseTimestamp(attempt.start_time);
    const e = parseTimestamp(attempt.end_time);
    if (s !== null && (into.start === null || s < into.start)) into.start = s;
    if (e !== null && (into.end === null || e > into.end)) into.end = e;
  }
}

/**
 * Walks step logs: composite map/parallel steps open a sweep per template and an item per branch;
 * metrics go to the innermost item they sit in (`owners`: the items enclosing the steps, innermost last).
 */
function walk(state: WalkState, steps: Record<string, StepLog>, location: LogLocation, prefix: string, owners: Collecting[], rel: string): void {
  for (const [key, step] of Object.entries(steps)) {
    const template = prefix ? `${prefix}.${step.name}` : step.name;
    const relName = rel ? `${rel}.${step.name}` : step.name;
    for (const owner of owners) noteTimes(owner, step);
    const owner = owners.at(-1);
    if (owner)
      for (const [metric, points] of stepMetricPoints(step)) owner.raw.push({ step: relName, key: metric, points: points.map((p) => [p.step, p.value]) });
    const kind = step.step_type === "map" || step.step_type === "parallel" ? step.step_type : null;
    for (const [branchKey, branch] of Object.entries(step.branches)) {
      const label = branchLabel(key, branchKey);
      const at: LogLocation = [...location, [key, branchKey]];
      if (!kind) {
        walk(state, branch.steps, at, `${template}.${step.step_type === "dag" ? "dag" : label}`, owners, relName);
        continue;
      }
      const item = openItem(state, step, template, kind, branch, label, at, owner);
      walk(state, branch.steps, at, kind === "map" ? `${template}.*` : `${template}.${label}`, [...owners, item], "");
    }
  }
}

function openItem(
  state: WalkState,
  step: StepLog,
  template: string,
  kind: "map" | "parallel",
  branch: BranchLog,
  label: string,
  location: LogLocation,
  outer: Collecting | undefined,
): Collecting {
  const iterateAs = state.names.get(template);
  const own: ItemValue =
    kind === "map" ? { name: iterateAs ?? step.name, value: itemValue(branch, label, iterateAs), kind } : { name: step.name, value: label, kind };
  const values = [...(outer?.item.values ?? []), own];
  let group = state.sweeps.get(template);
  if (!group) {
    group = { sweep: { step: template, kind, names: values.map((v) => v.name), metrics: [], items: [] }, items: [] };
    state.sweeps.set(template, group);
  }
  const item: SweepItem = {
    key: branch.internal_name,
    label: itemLabel(values),
    values,
    status: branch.status,
    duration_ms: null,
    location,
    final: {},
    series: {},
  };
  const collecting: Collecting = { item, raw: [], start: null, end: null };
  group.items.push(collecting);
  group.sweep.items.push(item);
  return collecting;
}

/** Names the sweep's metrics (`key`, or `<step>/<key>` where several steps record a key) and fills each item. */
function finish(sweep: Sweep, items: Collecting[], goals: Goals): void {
  const stepsByKey = new Map<string, Set<string>>();
  for (const { raw } of items) for (const m of raw) stepsByKey.set(m.key, (stepsByKey.get(m.key) ?? new Set()).add(m.step));
  const metrics = new Map<string, SweepMetric>();
  for (const collecting of items) {
    const { item } = collecting;
    item.duration_ms = collecting.start !== null && collecting.end !== null ? Math.max(0, collecting.end - collecting.start) : null;
    for (const m of collecting.raw) {
      const name = (stepsByKey.get(m.key)?.size ?? 0) > 1 ? `${m.step}/${m.key}` : m.key;
      item.series[name] = m.points;
      item.final[name] = m.points.at(-1)?.[1];
      const known = metrics.get(name);
      if (known) known.points = Math.max(known.points, m.points.length);
      else metrics.set(name, { name, key: m.key, step: m.step, goal: goalOf(name, goals), numeric: true, points: m.points.length, best: null, worst: null });
    }
  }
  for (const metric of metrics.values()) rankItems(metric, sweep.items);
  sweep.metrics = [...metrics.values()];
}

/** Marks the best and the worst item of a metric (by final value, under its goal). */
function rankItems(metric: SweepMetric, items: readonly SweepItem[]): void {
  let best: SweepItem | null = null;
  let worst: SweepItem | null = null;
  for (const item of items) {
    if (!Object.hasOwn(item.final, metric.name)) continue;
    const value = item.final[metric.name];
    if (!isNumeric(value)) {
      metric.numeric = false;
      continue;
    }
    if (!best || better(metric.goal, value, best.final[metric.name] as number)) best = item;
    if (!worst || better(metric.goal, worst.final[metric.name] as number, value)) worst = item;
  }
  metric.best = best?.key ?? null;
  metric.worst = worst && worst !== best ? worst.key : null;
}

/** Every sweep of a run (one per map or parallel step of the pipeline), in execution order. */
export function runSweeps(run: Pick<RunLog, "steps" | "run_config">, goals: Goals = {}): Sweep[] {
  const state: WalkState = { names: iterateNames(run.run_config.dag), sweeps: new Map() };
  walk(state, run.steps, [], "", [], "");
  for (const { sweep, items } of state.sweeps.values()) finish(sweep, items, goals);
  return [...state.sweeps.values()].map((group) => group.sweep);
}

/** Items sorted by a metric's final value, best first (items without a number last, in run order). */
export function sortItems(items: readonly SweepItem[], metric: string, goal: Goal): SweepItem[] {
  const rank = (item: SweepItem): number => {
    const value = item.final[metric];
    return isNumeric(value) ? (goal === "min" ? value : -value) : Number.POSITIVE_INFINITY;
  };
  return items
    .map((item, index) => ({ item, index, rank: rank(item) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.item);
}
