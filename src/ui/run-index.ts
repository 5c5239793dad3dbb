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

/** An index of a store's runs for the UI server: listing answers from summaries while full digests fill in. */
export function createRunIndex(store: RunLogStore, options: RunIndexOptions = {}): RunIndex {
  const ttl = options.ttlMs ?? 1000;
  const concurrency = options.concurrency ?? 2;
  const warn = options.warn ?? (() => undefined);
  const cache = new Map<string, Cached>();
  const queue = new Map<string, RunSummary>();
  const runs = new Map<string, { at: number; ttl: number; run: Promise<RunLog> }>();
  let listing: { at: number; summaries: Promise<RunSummary[]> } | undefined;
  let refreshing = false;
  let active = 0;
  const waiters: Array<() => void> = [];

  // A read run log is reused for `ttlMs` after it arrived (finished runs ten times longer), and a read
  // in flight is shared, so a page and the requests it makes next read a large run once.
  const readRun = (runId: string): Promise<RunLog> => {
    const hit = runs.get(runId);
    if (hit && (hit.at === 0 || Date.now() - hit.at < hit.ttl)) return hit.run;
    const entry = { at: 0, ttl, run: store.get(runId) };
    runs.set(runId, entry);
    entry.run.then(
      (run) => {
        entry.at = Date.now();
        entry.ttl = run.status === "PROCESSING" ? ttl : ttl * 10;
      },
      () => runs.delete(runId),
    );
    for (const oldest of runs.keys()) if (runs.size > 8) runs.delete(oldest);
    return entry.run;
  };

  const pump = (): void => {
    while (active < concurrency && queue.size > 0) {
      const [runId, summary] = queue.entries().next().value as [string, RunSummary];
      queue.delete(runId);
      active++;
      readRun(runId)
        .then((run) => cache.set(runId, { version: versionOf(summary), digest: digestRun(run, summary) }))
        .catch((error: unknown) => {
          warn(`Could not read run ${runId}: ${messageOf(error)}`);
          cache.set(runId, { version: versionOf(summary), digest: digestFromSummary(summary) });
        })
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .finally(() => {
          active--;
          pump();
          if (active === 0 && queue.size === 0) for (const wake of waiters.splice(0)) wake();
        });
    }
  };

  // The first listing is awaited; later ones refresh in the background (the previous one answers meanwhile),
  // so a page never waits for a store's list() once the server is up.
  const summaries = (): Promise<RunSummary[]> => {
    if (!listing) listing = { at: Date.now(), summaries: store.list() };
    else if (Date.now() - listing.at >= ttl && !refreshing) {
      refreshing = true;
      const next = store.list();
      next
        .then((listed) => (listing = { at: Date.now(), summaries: Promise.resolve(listed) }))
        .catch((error: unknown) => warn(`Could not list runs: ${messageOf(error)}`))
        .finally(() => (refreshing = false));
    }
    const current = listing.summaries;
    current.catch(() => (listing = undefined));
    return current;
  };

  const digests = async (): Promise<RunDigest[]> => {
    const listed = await summaries();
    const seen = new Set<string>();
    const result = listed.map((summary) => {
      seen.add(summary.run_id);
      const cached = cache.get(summary.run_id);
      if (cached?.version === versionOf(summary)) return cached.digest;
      if (!queue.has(summary.run_id)) queue.set(summary.run_id, summary);
      return cached ? { ...digestFromSummary(summary), ...keep(cached.digest) } : digestFromSummary(summary);
    });
    for (const runId of cache.keys()) if (!seen.has(runId)) cache.delete(runId);
    pump();
    return result.sort(newestFirst);
  };

  return {
    digests,
    pending: () => queue.size + active,
    settled: (timeoutMs) =>
      queue.size + active === 0
        ? Promise.resolve()
        : new Promise((resolve) => {
            const timer = setTimeout(resolve, timeoutMs);
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
    run: readRun,
    invalidate: () => {
      listing = undefined;
      runs.clear();
    },
  };
}

/** The fields of an older digest worth showing until the run is read again. */
function keep(digest: RunDigest): Partial<RunDigest> {
  return { start_ms: digest.start_ms, end_ms: digest.end_ms, parameters: digest.parameters, metrics: digest.metrics, step_count: digest.step_count };
}
