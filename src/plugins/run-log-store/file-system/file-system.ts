import { mkdir } from "node:fs/promises";
import type { RunLog } from "../../../core/run-log.js";
import type { Freed, RunLogStore, RunLogStoreDriver } from "../../../ports/run-log-store.js";
import { type WriteObserver, createAtomic, removeIfExists, statOrNull } from "../shared/fs-utils.js";
import { toJsonText } from "../shared/json-text.js";
import { createKeyedQueue } from "../shared/keyed-queue.js";
import { folderLeases, leaseFileOf } from "../shared/lease-file.js";
import { emptyIndex } from "../shared/placement-index.js";
import { createRunLogStore } from "../shared/run-log-store-facade.js";
import { runExists, unlessNotFound } from "../shared/store-errors.js";
import { compactRun } from "./compaction.js";
import { createJournalAppender } from "./journal.js";
import { folderChangeToken } from "./change-token.js";
import { listRuns } from "./list-runs.js";
import { indexedFrom, loadRun, runPaths, touch } from "./run-files.js";
import { type FileSystemStoreState, forget, pathsOf, remember, write } from "./store-state.js";

/** Options of {@link createFileSystemRunLogStore}. */
export interface FileSystemStoreOptions {
  /** Absolute folder holding the run logs. */
  folder: string;
  /** Config fields recorded in `run_config.run_log_store`. */
  recordedConfig?: Record<string, unknown>;
  warn?: (message: string) => void;
  /** The journal is compacted once it is larger than the snapshot and than this many bytes. */
  compactMinBytes?: number;
  /** Most runs kept assembled in memory. */
  cacheSize?: number;
  /** Sees every write (tests count bytes with it). */
  observeWrites?: WriteObserver;
}

/**
 * Below this the journal is only folded into the snapshot when the run ends (flush): a write never
 * pays for rewriting a snapshot that grows with the run, and readers replay at most this much.
 */
const DEFAULT_COMPACT_MIN_BYTES = 256 * 1024 * 1024;

/**
 * The `file-system` store's driver: `<folder>/<run_id>.json` is a complete run log (replaced atomically);
 * updates are appended to `<run_id>.journal.jsonl` (store-state.ts) and folded into the snapshot when
 * the journal outgrows it and on `flush`, so an update costs the same however large the run is.
 */
export function createFileSystemDriver(options: FileSystemStoreOptions): RunLogStoreDriver {
  const io = { warn: options.warn ?? (() => undefined), observe: options.observeWrites };
  const state: FileSystemStoreState = {
    folder: options.folder,
    io,
    compactMinBytes: options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES,
    cacheSize: options.cacheSize ?? 16,
    cache: new Map(),
    queue: createKeyedQueue(),
    appender: createJournalAppender(io.observe),
    known: new Map(),
    pending: new Map(),
    handover: undefined,
  };
  const { folder, queue } = state;
  return {
    type: "file-system",
    recordedConfig: options.recordedConfig ?? {},
    traits: { persistent: true, sharing: "folder", leases: true },
    where: folder,
    // Every op is serialised into its journal line when it is queued.
    readsOpsAtOnce: true,
    create: (run) => queue.run(run.run_id, () => create(state, run)),
    apply: (runId, ops) => Promise.all(ops.map((op) => write(state, runId, op))).then(() => undefined),
    // Read from the files each time (the store keeps only where logs are, not their content).
    read: (runId) => queue.run(runId, () => read(state, runId)),
    exists: async (runId) => (await statOrNull(pathsOf(state, runId).snapshot)) !== null,
    list: (options) => listRuns(folder, io, options?.known),
    changeToken: () => folderChangeToken(folder),
    remove: (runId) => queue.run(runId, () => remove(state, runId)),
    flush: (runId) => queue.run(runId, () => flush(state, runId)),
    ...folderLeases(folder),
  };
}

/** The `file-system` run log store: the façade over {@link createFileSystemDriver}. */
export function createFileSystemRunLogStore(options: FileSystemStoreOptions): RunLogStore {
  return createRunLogStore(createFileSystemDriver(options));
}

async function read(state: FileSystemStoreState, runId: string): Promise<RunLog | undefined> {
  const handed = await takeHandover(state, runId);
  if (handed) return handed;
  const loaded = await unlessNotFound(loadRun(pathsOf(state, runId), state.io));
  if (!loaded) return undefined;
  // A run read is often written next (a retry): where its logs are is taken now, not by reading it all again.
  if (!state.cache.has(runId)) remember(state, runId, indexedFrom(loaded));
  return loaded.run;
}

async function create(state: FileSystemStoreState, run: RunLog): Promise<void> {
  const paths = runPaths(state.folder, run.run_id);
  await mkdir(state.folder, { recursive: true });
  if (await statOrNull(paths.snapshot)) throw runExists(run.run_id, state.folder);
  // Journals left by a deleted run of the same id must not leak into the new one.
  await Promise.all([removeIfExists(paths.journal), removeIfExists(paths.rotated), removeIfExists(paths.order)]);
  const text = toJsonText(run);
  const snapshotIno = await createAtomic(paths.snapshot, text, state.io.observe);
  if (snapshotIno === undefined) throw runExists(run.run_id, state.folder);
  const journalIno = await touch(paths.journal);
  remember(state, run.run_id, { index: emptyIndex(), snapshotIno, snapshotBytes: Buffer.byteLength(text), journalIno, journalOffset: 0 });
}

async function flush(state: FileSystemStoreState, runId: string): Promise<boolean> {
  const paths = pathsOf(state, runId);
  if (!(await statOrNull(paths.snapshot))) return false;
  const [journal, rotated] = await Promise.all([statOrNull(paths.journal), statOrNull(paths.rotated)]);
  const compacted = Number(journal?.size ?? 0n) > 0 || rotated ? await compactRun(paths, state.io, true) : undefined;
  forget(state, runId);
  // A flushed run leaves no empty journal behind (a later writer's append makes a new one).
  const emptied = (await statOrNull(paths.journal))?.size === 0n;
  if (emptied) await removeIfExists(paths.journal);
  // The run just written is handed to the next get() of this run (the end of a run reads it back).
  if (compacted?.written) state.handover = { runId, compacted, run: compacted.written, journalRemoved: emptied };
  return true;
}

/** The run a flush wrote, once, while its files are still exactly what that flush left. */
async function takeHandover(state: FileSystemStoreState, runId: string): Promise<RunLog | undefined> {
  const taken = state.handover;
  state.handover = undefined;
  if (taken?.runId !== runId) return undefined;
  const paths = pathsOf(state, runId);
  const [snapshot, journal, rotated] = await Promise.all([statOrNull(paths.snapshot), statOrNull(paths.journal), statOrNull(paths.rotated)]);
  const unchanged = snapshot?.ino === taken.compacted.snapshotIno && Number(snapshot.size) === taken.compacted.snapshotBytes;
  const journalUnchanged = taken.journalRemoved ? journal === null : journal?.ino === taken.compacted.journalIno && journal.size === 0n;
  return unchanged && journalUnchanged && !rotated ? taken.run : undefined;
}

async function remove(state: FileSystemStoreState, runId: string): Promise<Freed | undefined> {
  const paths = pathsOf(state, runId);
  if (!(await statOrNull(paths.snapshot))) return undefined;
  forget(state, runId);
  let freedBytes = 0;
  for (const file of [paths.snapshot, paths.journal, paths.rotated, paths.order, paths.lock, leaseFileOf(state.folder, runId)]) {
    freedBytes += Number((await statOrNull(file))?.size ?? 0n);
    await removeIfExists(file);
  }
  return { freedBytes };
}
