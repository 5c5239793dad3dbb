import { readFile } from "node:fs/promises";
import { mapLimit } from "../../core/map-limit.js";
import { writeAtomic } from "../../io/atomic-file.js";
import type { RunLogStore } from "../../ports/run-log-store.js";
import type { RunDigest } from "../../ui/run-digest.js";

// A compact, columnar copy of the digest cache for `runs list --sort/--filter` on an unchanged store:
// one array per summary field and one sparse column per metric, parameter and metric note, so a
// listing parses only a few flat arrays and builds, per run, only the values its sort and filter name
// (the full digests stay in the cache file for `--json` and `--goal`). Written with the cache, under
// the same store token; when the token does not hold it is not used.

const INDEX_VERSION = 1;

/** A sparse column: the positions (in `ids`) of the runs having a value, and their values. */
type Column = [number[], unknown[]];

interface IndexFile {
  version: number;
  store: string;
  token: string;
  ids: string[];
  status: RunDigest["status"][];
  stale: number[];
  tag: (string | null)[];
  pipeline: (string | null)[];
  updated: (number | null)[];
  /** `m:<metric>`, `p:<parameter>`, `h:<metric>` (its `metric_how`). */
  columns: Record<string, Column>;
}

/** The index file beside a digest cache file. */
export const indexFileOf = (cacheFile: string): string => cacheFile.replace(/\.json$/, ".index.json");

function addTo(columns: Record<string, Column>, key: string, at: number, value: unknown): void {
  const column = (columns[key] ??= [[], []]);
  column[0].push(at);
  column[1].push(value);
}

/** Writes the index of `digests` (in the store's list order) made under `token`. */
export async function writeDigestIndex(file: string, store: string, token: string, digests: readonly RunDigest[]): Promise<void> {
  const index: IndexFile = { version: INDEX_VERSION, store, token, ids: [], status: [], stale: [], tag: [], pipeline: [], updated: [], columns: {} };
  digests.forEach((digest, at) => {
    index.ids.push(digest.run_id);
    index.status.push(digest.status);
    index.stale.push(digest.stale ? 1 : 0);
    index.tag.push(digest.tag);
    index.pipeline.push(digest.pipeline_file);
    index.updated.push(digest.updated_ms);
    for (const [key, value] of Object.entries(digest.metrics)) addTo(index.columns, `m:${key}`, at, value);
    for (const [key, value] of Object.entries(digest.parameters)) addTo(index.columns, `p:${key}`, at, value);
    for (const [key, how] of Object.entries(digest.metric_how)) addTo(index.columns, `h:${key}`, at, how);
  });
  await writeAtomic(file, JSON.stringify(index));
}

/** What a listing needs of each run: these metrics (with their notes) and parameters. */
export interface IndexNeeds {
  metrics: string[];
  parameters: string[];
}

function blank(index: IndexFile, at: number): RunDigest {
  return {
    run_id: index.ids[at]!,
    status: index.status[at]!,
    stale: index.stale[at] === 1,
    tag: index.tag[at] ?? null,
    pipeline_file: index.pipeline[at] ?? null,
    updated_ms: index.updated[at] ?? null,
    start_ms: null,
    end_ms: null,
    parameters: {},
    metrics: {},
    metric_how: {},
    metric_stats: {},
    step_count: 0,
    failed_steps: [],
    complete: true,
  };
}

function fill(runs: RunDigest[], column: Column | undefined, field: "metrics" | "parameters" | "metric_how", key: string): void {
  if (!column) return;
  const [positions, values] = column;
  positions.forEach((at, i) => {
    const run = runs[at];
    if (run) run[field][key] = values[i];
  });
}

/**
 * The runs with only the summary fields and the needed values, when the index was made under the
 * store's current token; else null (the caller reads the full digests). Live runs' staleness is asked.
 */
export async function indexedDigests(store: RunLogStore, file: string, storeId: string, token: string | null, needs: IndexNeeds): Promise<RunDigest[] | null> {
  if (token === null) return null;
  let index: IndexFile;
  try {
    index = JSON.parse(await readFile(file, "utf8")) as IndexFile;
  } catch {
    return null;
  }
  if (index.version !== INDEX_VERSION || index.store !== storeId || index.token !== token || !Array.isArray(index.ids)) return null;
  const runs = index.ids.map((_, at) => blank(index, at));
  for (const name of needs.metrics) {
    fill(runs, index.columns[`m:${name}`], "metrics", name);
    fill(runs, index.columns[`h:${name}`], "metric_how", name);
  }
  for (const name of needs.parameters) fill(runs, index.columns[`p:${name}`], "parameters", name);
  await mapLimit(
    runs.filter((run) => run.status === "PROCESSING"),
    8,
    async (run) => void (run.stale = (await store.leaseState(run.run_id)).state === "stale"),
  );
  return runs;
}
