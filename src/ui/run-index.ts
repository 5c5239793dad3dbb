import { messageOf } from "../core/errors.js";
import type { RunLog } from "../core/run-log.js";
import type { RunLogStore, RunSummary } from "../ports/run-log-store.js";
import { type RunDigest, digestFromSummary, digestRun } from "./run-digest.js";

/** Digests of every run in a store, kept up to date from the store's cheap `list()`. */
export interface RunIndex {
  /** Every run's digest, newest first; runs not read yet have `complete: false` and are read in the background. */
  digests(): Promise<RunDigest[]>;
  /** Runs still being read. */
  pending(): number;
  /** When the listing the digests answer from was taken (epoch ms; null before the first). */
  listedMs(): number | null;
  /** Resolves once nothing is pending (or after `timeoutMs`). */
  settled(timeoutMs: number): Promise<void>;
  /** A run log, read at most once per `ttlMs` per run (a few recent runs are kept). */
  run(runId: string): Promise<RunLog>;
  /** Forgets what is cached (after a delete). */
  invalidate(): void;
}

/** Options of {@link createRunIndex}. */
export interface RunIndexOptions {
  /** How long a listing and a read run log are reused (ms). */
  ttlMs?: number;
  /** Runs read at once in the background. */
  concurrency?: number;
  warn?: (message: string) => void;
}

interface Cached {
  version: string;
  digest: RunDigest;
}

const versionOf = (summary: RunSummary): string => `${summary.updated_ms}|${summary.status}|${summary.stale === true}`;
const newestFirst = (a: RunDigest, b: RunDigest): number =>
  (b.start_ms ?? b.updated_ms ?? 0) - (a.start_ms ?? a.updated_ms ?? 0) || (a.run_id < b.run_id ? 1 : -1);

/** What one index holds: the store, its cached digests and run logs, the background reads. */
interface RunIndexState {
  readonly store: RunLogStore;
  /** How long a listing and a read run log are reused (ms). */
  readonly ttl: number;
  /** Runs read at once in the background. */
  readonly concurrency: number;
  readonly warn: (message: string) => void;
  /** Each run's digest and the version of the summary it was made from. */
  readonly cache: Map<string, Cached>;
  /** Runs waiting to be read, in listing order. */
  readonly queue: Map<string, RunSummary>;
  /** A few recently read run logs, and the reads in flight (`at` 0); `version`: the listing's version of the run when it was read. */
  readonly runs: Map<string, { at: number; ttl: number; run: Promise<RunLog>; version: string | undefined }>;
  /** The last listing and when it was asked for. */
  listing: { at: number; summaries: Promise<RunSummary[]> } | undefined;
  /** The last listing's summaries by run id (a store need not read unchanged runs again). */
  known: Map<string, RunSummary>;
  /** A listing is being refreshed in the background. */
  refreshing: boolean;
  /** Background reads in flight. */
  active: number;
  /** Callers of `settled` waiting for the queue to empty. */
  readonly waiters: Array<() => void>;
}

/** An index of a store's runs for the UI server: listing answers from summaries while full digests fill in. */
export function createRunIndex(store: RunLogStore, options: RunIndexOptions = {}): RunIndex {
  const state: RunIndexState = {
    store,
    ttl: options.ttlMs ?? 1000,
    concurrency: options.concurrency ?? 2,
    warn: options.warn ?? (() => undefined),
    cache: new Map(),
    queue: new Map(),
    runs: new Map(),
    listing: undefined,
    known: new Map(),
    refreshing: false,
    active: 0,
    waiters: [],
  };
  return {
    digests: () => digests(state),
    pending: () => state.queue.size + state.active,
    listedMs: () => state.listing?.at ?? null,
    settled: (timeoutMs) => settled(state, timeoutMs),
    run: (runId) => readRun(state, runId),
    invalidate: () => {
      state.listing = undefined;
      state.known = new Map();
      state.runs.clear();
    },
  };
}

/**
 * A run log, reused for `ttl` after it arrived (finished runs ten times longer, and longer still while
 * the store's listing says the run has not changed); a read in flight is shared, so a page and the
 * requests it makes next read a large run once.
 */
function readRun(state: RunIndexState, runId: string): Promise<RunLog> {
  const { runs, ttl } = state;
  const hit = runs.get(runId);
  const listed = state.known.get(runId);
  const version = listed ? versionOf(listed) : undefined;
  if (hit && (hit.at === 0 || Date.now() - hit.at < hit.ttl)) return hit.run;
  if (hit && version !== undefined && hit.version === version && listed?.status !== "PROCESSING") {
    // A finished run the listing still sees unchanged: the same object (and what was derived from it) serves on.
    hit.at = Date.now();
    return hit.run;
  }
  const entry = { at: 0, ttl, run: state.store.get(runId), version };
  runs.set(runId, entry);
  entry.run.then(
    (run) => {
      entry.at = Date.now();
      // A TRIGGERED run (detached, its walker queued) turns PROCESSING soon: read it as often as a live one.
      entry.ttl = run.status === "PROCESSING" || run.status === "TRIGGERED" ? ttl : ttl * 10;
    },
    () => runs.delete(runId),
  );
  for (const oldest of runs.keys()) if (runs.size > 8) runs.delete(oldest);
  return entry.run;
}

/** Starts background reads of queued runs, up to `concurrency` at once. */
function pump(state: RunIndexState): void {
  while (state.active < state.concurrency && state.queue.size > 0) {
    const [runId, summary] = state.queue.entries().next().value as [string, RunSummary];
    state.queue.delete(runId);
    state.active++;
    digestOne(state, runId, summary).finally(() => {
      state.active--;
      pump(state);
      if (state.active === 0 && state.queue.size === 0) for (const wake of state.waiters.splice(0)) wake();
    });
  }
}

/** Reads one run and caches its digest (the summary's when the run cannot be read); yields to I/O after. */
async function digestOne(state: RunIndexState, runId: string, summary: RunSummary): Promise<void> {
  try {
    const run = await readRun(state, runId);
    state.cache.set(runId, { version: versionOf(summary), digest: digestRun(run, summary) });
  } catch (error) {
    state.warn(`Could not read run ${runId}: ${messageOf(error)}`);
    state.cache.set(runId, { version: versionOf(summary), digest: digestFromSummary(summary) });
  }
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * The store's run summaries. The first listing is awaited; later ones refresh in the background (the
 * previous one answers meanwhile), so a page never waits for a store's list() once the server is up.
 */
function summaries(state: RunIndexState): Promise<RunSummary[]> {
  const list = (): Promise<RunSummary[]> =>
    state.store.list({ known: state.known }).then((listed) => {
      state.known = new Map(listed.map((summary) => [summary.run_id, summary]));
      return listed;
    });
  if (!state.listing) state.listing = { at: Date.now(), summaries: list() };
  else if (Date.now() - state.listing.at >= state.ttl && !state.refreshing) {
    state.refreshing = true;
    list()
      .then((listed) => (state.listing = { at: Date.now(), summaries: Promise.resolve(listed) }))
      .catch((error: unknown) => state.warn(`Could not list runs: ${messageOf(error)}`))
      .finally(() => (state.refreshing = false));
  }
  const current = state.listing.summaries;
  current.catch(() => (state.listing = undefined));
  return current;
}

/** Every run's digest, newest first: cached when its summary has not changed, else queued to be read. */
async function digests(state: RunIndexState): Promise<RunDigest[]> {
  const { cache, queue } = state;
  const listed = await summaries(state);
  const seen = new Set<string>();
  const result = listed.map((summary) => {
    seen.add(summary.run_id);
    const cached = cache.get(summary.run_id);
    if (cached?.version === versionOf(summary)) return cached.digest;
    if (!queue.has(summary.run_id)) queue.set(summary.run_id, summary);
    return cached ? { ...digestFromSummary(summary), ...keep(cached.digest) } : digestFromSummary(summary);
  });
  for (const runId of cache.keys()) if (!seen.has(runId)) cache.delete(runId);
  pump(state);
  return result.sort(newestFirst);
}

function settled(state: RunIndexState, timeoutMs: number): Promise<void> {
  if (state.queue.size + state.active === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    state.waiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The fields of an older digest worth showing until the run is read again. */
function keep(digest: RunDigest): Partial<RunDigest> {
  return { start_ms: digest.start_ms, end_ms: digest.end_ms, parameters: digest.parameters, metrics: digest.metrics, step_count: digest.step_count };
}
