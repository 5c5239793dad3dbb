import type { Goals } from "./metric-goals.js";
import { type RunDigest, digestMetrics } from "./run-digest.js";
import { matchesFilter, parseFilter, parseSort, sortRuns, sortsDescending } from "./run-filter.js";

/** Filters and page of the runs list (all optional). */
export interface RunQuery {
  /** A status, or `stale` for PROCESSING runs whose orchestrator is gone. */
  status?: string;
  tag?: string;
  pipeline?: string;
  /** Free text: run id, tag, pipeline, parameter and metric values, failed steps. */
  q?: string;
  /** Comparisons on final metrics and parameters (`loss<0.2 and params.lr>=0.01`, see run-filter.ts). */
  filter?: string;
  /** `loss` (best first), `loss:asc`, `params.lr:desc`; without it, newest first. */
  sort?: string;
  /** Goals given by the user, for metrics several step logs recorded. */
  goals?: Goals;
  offset?: number;
  limit?: number;
}

/** A key seen in the listed runs' parameters or metrics. */
export interface ColumnKey {
  key: string;
  /** Runs having it. */
  count: number;
  /** True when the runs hold different values. */
  varies: boolean;
}

/** One page of the runs list with what the filters can choose from. */
export interface RunPage {
  total: number;
  matched: number;
  offset: number;
  runs: RunDigest[];
  facets: { status: Record<string, number>; tag: Record<string, number>; pipeline: Record<string, number> };
  parameter_keys: ColumnKey[];
  metric_keys: ColumnKey[];
  /** Runs still being read (their columns fill in later). */
  pending: number;
  /** When the store's listing this page comes from was taken (epoch ms), for "as of" (set by the API). */
  listed_ms?: number | null;
}

const effectiveStatus = (run: RunDigest): string => (run.stale ? "stale" : run.status);
/** A run's pipeline as the list shows it: its file, or `(SDK)` when it has none (SDK runs record "" or null). */
export const pipelineOf = (run: Pick<RunDigest, "pipeline_file">): string => run.pipeline_file || "(SDK)";

function matches(run: RunDigest, query: RunQuery, text: string): boolean {
  if (query.status && effectiveStatus(run) !== query.status) return false;
  if (query.tag !== undefined && query.tag !== "" && (run.tag ?? "") !== query.tag) return false;
  if (query.pipeline && pipelineOf(run) !== query.pipeline) return false;
  if (!text) return true;
  const haystack = [
    run.run_id,
    run.tag ?? "",
    run.pipeline_file ?? "",
    run.status,
    ...run.failed_steps,
    JSON.stringify(run.parameters),
    JSON.stringify(run.metrics),
  ];
  return haystack.some((field) => field.toLowerCase().includes(text));
}

function tally(runs: RunDigest[], pick: (run: RunDigest) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const run of runs) counts[pick(run)] = (counts[pick(run)] ?? 0) + 1;
  return counts;
}

function columnKeys(runs: RunDigest[], pick: (run: RunDigest) => Record<string, unknown>): ColumnKey[] {
  const seen = new Map<string, { count: number; first: string; varies: boolean }>();
  for (const run of runs) {
    for (const [key, value] of Object.entries(pick(run))) {
      const text = JSON.stringify(value) ?? "null";
      const entry = seen.get(key);
      if (!entry) seen.set(key, { count: 1, first: text, varies: false });
      else {
        entry.count++;
        entry.varies ||= entry.first !== text;
      }
    }
  }
  const keys = [...seen].map(([key, e]) => ({ key, count: e.count, varies: e.varies || e.count < runs.length }));
  return keys.sort((a, b) => Number(b.varies) - Number(a.varies) || b.count - a.count || a.key.localeCompare(b.key)).slice(0, 100);
}

/** The digest with its run-level metrics taken under the user's goals (only metrics several step logs recorded change). */
function underGoals(run: RunDigest, goals: Goals | undefined): RunDigest {
  if (!goals || Object.keys(run.metric_stats).length === 0 || !Object.keys(goals).some((key) => Object.hasOwn(run.metric_stats, key))) return run;
  const again = digestMetrics(run.metric_stats, goals);
  return { ...run, metrics: { ...run.metrics, ...again.metrics }, metric_how: { ...run.metric_how, ...again.metric_how } };
}

/** The runs a query selects, in its order: status, tag, pipeline, text and filter; sorted when asked. */
export function selectRuns(all: readonly RunDigest[], query: RunQuery): RunDigest[] {
  const text = query.q?.trim().toLowerCase() ?? "";
  const filter = query.filter?.trim() ? parseFilter(query.filter) : [];
  const sort = query.sort?.trim() ? parseSort(query.sort) : undefined;
  const matched: RunDigest[] = [];
  for (const digest of all) {
    const run = underGoals(digest, query.goals);
    if (matches(run, query, text) && (filter.length === 0 || matchesFilter(run, filter))) matched.push(run);
  }
  return sort ? sortRuns(matched, sort, sortsDescending(sort, matched, query.goals ?? {})) : matched;
}

/** Filters digests (already newest first), sorts them when asked and cuts one page. */
export function queryRuns(all: RunDigest[], query: RunQuery, pending: number): RunPage {
  const matched = selectRuns(all, query);
  const offset = Math.max(0, query.offset ?? 0);
  const limit = Math.min(Math.max(1, query.limit ?? 100), 1000);
  return {
    total: all.length,
    matched: matched.length,
    offset,
    runs: matched.slice(offset, offset + limit),
    facets: {
      status: tally(all, effectiveStatus),
      tag: tally(all, (run) => run.tag ?? ""),
      pipeline: tally(all, pipelineOf),
    },
    parameter_keys: columnKeys(matched, (run) => run.parameters),
    metric_keys: columnKeys(matched, (run) => run.metrics),
    pending,
  };
}
