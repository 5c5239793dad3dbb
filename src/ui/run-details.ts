import type { BranchLog, LogLocation, RunLog, StepLog } from "../core/run-log.js";
import { parseDuration } from "../core/time.js";
import { type MetricPoint, isNumeric, stepMetricPoints } from "./metric-values.js";
import { branchLabel, walkSteps } from "./walk.js";

/** One item (or parallel branch) of a composite step. */
export interface BranchItem {
  label: string;
  key: string;
  status: string;
  duration_ms: number | null;
  /** Location of the branch (to open its graph). */
  location: LogLocation;
}

/** Filters and a page of a composite step's items. */
export interface ItemQuery {
  q?: string;
  status?: string;
  offset?: number;
  limit?: number;
}

function branchMs(branch: BranchLog): number | null {
  let total = 0;
  for (const step of Object.values(branch.steps)) {
    for (const attempt of step.attempts) total += parseDuration(attempt.duration) / 1000;
  }
  return Number.isFinite(total) ? total : null;
}

/** A page of a composite step's branches (a map's items), filtered by text and status, in run order. */
export function branchItems(step: StepLog, location: LogLocation, query: ItemQuery) {
  const text = query.q?.trim().toLowerCase() ?? "";
  const counts: Record<string, number> = {};
  const matched: BranchItem[] = [];
  const all = Object.entries(step.branches);
  for (const [key, branch] of all) {
    counts[branch.status] = (counts[branch.status] ?? 0) + 1;
    const label = branchLabel(step.internal_name, key);
    if (query.status && branch.status !== query.status) continue;
    if (text && !label.toLowerCase().includes(text)) continue;
    matched.push({ label, key, status: branch.status, duration_ms: null, location: [...location, [step.internal_name, key]] });
  }
  const offset = Math.max(0, query.offset ?? 0);
  const page = matched.slice(offset, offset + Math.min(Math.max(1, query.limit ?? 100), 1000));
  for (const item of page) item.duration_ms = branchMs(step.branches[item.key]!);
  return { total: all.length, matched: matched.length, counts, offset, items: page };
}

/** A step's details for its panel: the log without its branches, metrics as points, its execution logs. */
export function stepDetails(step: StepLog, location: LogLocation) {
  const { branches, ...rest } = step;
  const metrics = Object.fromEntries(stepMetricPoints(step));
  const logs = step.data_catalog.filter((entry) => /\.execution\.log(_[^/]*)?$/.test(entry.name)).map((entry) => entry.name);
  return { step: rest, location, branch_count: Object.keys(branches).length, metrics, execution_logs: [...new Set(logs)] };
}

/** One metric key of one step log. */
export interface MetricSeries {
  key: string;
  /** Internal name of the step that recorded it. */
  step: string;
  /** The step's name with map items as `*` (series of one pipeline step share it). */
  template: string;
  /** The map items on the way, joined with ` / ` (null outside maps). */
  item: string | null;
  numeric: boolean;
  /**
   * What a point's `step` counts: the tracking step, or (a step inside a loop) the loop's iteration:
   * such a key is one series over the iterations, each iteration's last value at its index.
   */
  x: "step" | "iteration";
  points: MetricPoint[];
}

/** Every metric series of a run, in execution order; a key tracked inside a loop is one series by iteration. */
export function runMetrics(run: Pick<RunLog, "steps">): MetricSeries[] {
  const series: MetricSeries[] = [];
  const byIteration = new Map<string, MetricSeries>();
  walkSteps(run, ({ step, template, items, iterations }) => {
    for (const [key, points] of stepMetricPoints(step)) {
      const item = items.length ? items.join(" / ") : null;
      const numeric = points.length > 0 && points.every((p) => isNumeric(p.value));
      const iteration = iterations.at(-1);
      if (iteration === undefined) {
        series.push({ key, step: step.internal_name, template, item, numeric, x: "step", points });
        continue;
      }
      // Outer loops' iterations stay apart; the innermost loop's are the points of one series.
      const id = JSON.stringify([key, template, item, iterations.slice(0, -1)]);
      let found = byIteration.get(id);
      if (!found) {
        found = { key, step: template, template, item, numeric: true, x: "iteration", points: [] };
        byIteration.set(id, found);
        series.push(found);
      }
      const last = points.at(-1);
      if (last) found.points.push({ ...last, step: iteration });
      found.numeric &&= numeric;
    }
  });
  for (const found of byIteration.values()) found.points.sort((a, b) => a.step - b.step);
  return series;
}
