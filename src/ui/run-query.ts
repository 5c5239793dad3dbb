import type { RunDigest } from "./run-digest.js";

/** Filters and page of the runs list (all optional). */
export interface RunQuery {
  /** A status, or `stale` for PROCESSING runs whose orchestrator is gone. */
  status?: string;
  tag?: string;
  pipeline?: string;
  /** Free text: run id, tag, pipeline, parameter and metric values, failed steps. */
  q?: string;
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
}

const effectiveStatus = (run: RunDigest): string => (run.stale ? "stale" : run.status);

function matches(run: RunDigest, query: RunQuery, text: string): boolean {
  if (query.status && effectiveStatus(run) !== query.status) return false;
  if (query.tag !== undefined && query.tag !== "" && (run.tag ?? "") !== query.tag) return false;
  if (query.pipeline && (run.pipeline_file ?? "(SDK)") !== query.pipeline) return false;
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

/** Filters digests (already newest first) and cuts one page. */
export function queryRuns(all: RunDigest[], query: RunQuery, pending: number): RunPage {
  const text = query.q?.trim().toLowerCase() ?? "";
  const matched = all.filter((run) => matches(run, query, text));
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
      pipeline: tally(all, (run) => run.pipeline_file ?? "(SDK)"),
    },
    parameter_keys: columnKeys(matched, (run) => run.parameters),
    metric_keys: columnKeys(matched, (run) => run.metrics),
    pending,
  };
}
