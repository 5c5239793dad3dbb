import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { messageOf } from "../../core/errors.js";
import { mapLimit } from "../../core/map-limit.js";
import { writeAtomic } from "../../io/atomic-file.js";
import type { RunLogStore, RunSummary } from "../../ports/run-log-store.js";
import { type RunDigest, digestFromSummary, digestRun } from "../../ui/run-digest.js";
import { type IndexNeeds, indexFileOf, indexedDigests, writeDigestIndex } from "./runs-digest-index.js";

// What `runs list --sort/--filter` reads of every run (final metrics, parameters): a digest per run,
// kept in a cache file between commands so that only runs changed since the last listing are read.
// The cache is keyed by the store (type and place) and each entry by the store's summary of the run
// (last change, status, staleness), so a changed run is always read again. A store with a change token
// (RunLogStore.changeToken) lets an unchanged store skip even the listing: the cache says which runs
// there are, in the store's order, and only PROCESSING runs have their lease looked at (staleness).
// Delete the file at will.

const CACHE_VERSION = 3;

interface CacheFile {
  version: number;
  store: string;
  /** The store's change token when the cache was made (null: unknown, list again). */
  token: string | null;
  /** Run ids in the store's list order (newest first). */
  order: string[];
  runs: Record<string, { v: string; d: RunDigest }>;
}

const versionOf = (summary: RunSummary): string => `${summary.updated_ms}|${summary.status}|${summary.stale === true}`;

/** Which store a cache is for: its type and config (relative folders are relative to the working directory). */
const storeIdentity = (store: Pick<RunLogStore, "type" | "recordedConfig">, cwd: string): string =>
  `${store.type}\0${JSON.stringify(store.recordedConfig)}\0${path.resolve(cwd)}`;

/** The cache file of a store: `$XDG_CACHE_HOME/runnable-ts/run-digests/<hash>.json` (default `~/.cache`). */
export function digestCacheFile(identity: string, env: Readonly<Record<string, string | undefined>>): string {
  const base = env["XDG_CACHE_HOME"] || path.join(env["HOME"] || homedir(), ".cache");
  const id = createHash("sha256").update(identity).digest("hex").slice(0, 24);
  return path.join(base, "runnable-ts", "run-digests", `${id}.json`);
}

const summaryOf = (digest: RunDigest): RunSummary => ({
  run_id: digest.run_id,
  status: digest.status,
  tag: digest.tag,
  pipeline_file: digest.pipeline_file,
  updated_ms: digest.updated_ms,
  ...(digest.stale ? { stale: true } : {}),
});

const EMPTY = (store: string): CacheFile => ({ version: CACHE_VERSION, store, token: null, order: [], runs: {} });

async function readCache(file: string, store: string): Promise<CacheFile> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<CacheFile>;
    if (parsed.version === CACHE_VERSION && parsed.store === store && parsed.runs && typeof parsed.runs === "object" && Array.isArray(parsed.order)) {
      return { ...EMPTY(store), ...parsed } as CacheFile;
    }
  } catch {
    // no cache yet, or a damaged one: every run is read again
  }
  return EMPTY(store);
}

/** The cached digests when the store says nothing changed since the cache was made; else null. */
async function unchanged(store: RunLogStore, cache: CacheFile, token: string | null): Promise<RunDigest[] | null> {
  if (token === null || cache.token !== token) return null;
  const digests: RunDigest[] = [];
  for (const id of cache.order) {
    const hit = cache.runs[id];
    if (!hit) return null;
    digests.push(hit.d);
  }
  // Only whether a live run's process went away can change without the store changing.
  return mapLimit(digests, 8, async (digest) => {
    if (digest.status !== "PROCESSING") return digest;
    const stale = (await store.leaseState(digest.run_id)).state === "stale";
    return stale === digest.stale ? digest : { ...digest, stale };
  });
}

/** Options of {@link runDigests}. */
export interface DigestOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  warn: (message: string) => void;
  /** Runs read at once. */
  concurrency?: number;
  /**
   * Only these values are needed (plus the summary fields): an unchanged store is then answered from
   * the compact index (runs-digest-index.ts), whose digests hold nothing else.
   */
  needs?: IndexNeeds;
}

/**
 * Every run's digest, newest first: from the cache for runs unchanged since it was written, else
 * read from the store (and the cache rewritten). A run that cannot be read keeps its summary only.
 */
export async function runDigests(store: RunLogStore, options: DigestOptions): Promise<RunDigest[]> {
  const storeId = storeIdentity(store, options.cwd);
  const file = digestCacheFile(storeId, options.env);
  // Taken before listing: a change made while listing gives the next command another token.
  const token = store.changeToken ? await store.changeToken() : null;
  const indexFile = indexFileOf(file);
  if (options.needs) {
    const indexed = await indexedDigests(store, indexFile, storeId, token, options.needs);
    if (indexed) return indexed;
  }
  const cache = await readCache(file, storeId);
  const reused = await unchanged(store, cache, token);
  if (reused) {
    if (options.needs && token !== null) await writeIndex(indexFile, storeId, token, reused, options.warn);
    return reused;
  }
  const cached = cache.runs;
  // The store need not read again what the cache says of runs that have not changed since.
  const known = new Map(Object.values(cached).map(({ d }) => [d.run_id, summaryOf(d)] as const));
  const summaries = await store.list({ known });
  const fresh: CacheFile["runs"] = {};
  let changed = Object.keys(cached).length !== summaries.length || token !== cache.token;
  const digests = await mapLimit(summaries, options.concurrency ?? 8, async (summary) => {
    const { digest, entry, read } = await digestOf(store, summary, cached[summary.run_id], options.warn);
    if (entry) fresh[summary.run_id] = entry;
    if (read) changed = true;
    return digest;
  });
  const order = summaries.map((summary) => summary.run_id);
  if (changed) await writeCache(file, { version: CACHE_VERSION, store: storeId, token, order, runs: fresh }, options.warn);
  // A run that could not be read is read (and warned about) again next time: no index until all are.
  const allRead = summaries.every((summary) => fresh[summary.run_id] !== undefined);
  if (token !== null && allRead && (changed || options.needs)) await writeIndex(indexFile, storeId, token, digests, options.warn);
  return digests;
}

type Entry = CacheFile["runs"][string];

/** A run's digest: the cached one while its summary is the same, else read from the store. */
async function digestOf(
  store: RunLogStore,
  summary: RunSummary,
  hit: Entry | undefined,
  warn: (message: string) => void,
): Promise<{ digest: RunDigest; entry?: Entry; read: boolean }> {
  const version = versionOf(summary);
  if (hit?.v === version) return { digest: hit.d, entry: hit, read: false };
  if (hit && hit.v.split("|")[0] === String(summary.updated_ms) && hit.d.complete) {
    // Unchanged run whose staleness changed (its process went away): the rest of its digest holds.
    const digest = { ...hit.d, status: summary.status, stale: summary.stale === true };
    return { digest, entry: { v: version, d: digest }, read: true };
  }
  try {
    const digest = digestRun(await store.get(summary.run_id), summary);
    return { digest, entry: { v: version, d: digest }, read: true };
  } catch (error) {
    warn(`Could not read run ${summary.run_id}: ${messageOf(error)}`);
    return { digest: digestFromSummary(summary), read: true };
  }
}

async function writeCache(file: string, content: CacheFile, warn: (message: string) => void): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeAtomic(file, JSON.stringify(content));
  } catch (error) {
    // The cache only saves time: a read-only home still lists runs.
    warn(`Could not write the run digest cache ${file}: ${messageOf(error)}`);
  }
}

async function writeIndex(file: string, storeId: string, token: string, digests: readonly RunDigest[], warn: (message: string) => void): Promise<void> {
  try {
    await writeDigestIndex(file, storeId, token, digests);
  } catch (error) {
    warn(`Could not write the run digest index ${file}: ${messageOf(error)}`);
  }
}
