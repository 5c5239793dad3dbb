import { messageOf } from "../../../core/errors.js";
import type { RunLog } from "../../../core/run-log.js";
import type { KeyedQueue } from "../shared/keyed-queue.js";
import { type Placement, indexPlacement, placementOf, placementProblemAt } from "../shared/placement-index.js";
import type { RunOp } from "../shared/run-ops.js";
import { misplacedWrite } from "../shared/store-errors.js";
import { type Compacted, compactRun } from "./compaction.js";
import { type JournalAppender, journalLine } from "./journal.js";
import { type IndexedRun, type RunPaths, type StoreIo, catchUp, indexedFrom, loadRun, runPaths } from "./run-files.js";

// The `file-system` store's state and its write path. Writes to one run are batched: every update
// queued by the same run of promise jobs, or while the previous batch was being written, goes out in one
// append (fan-out and parallel branches write many at once), each still placed on its own. An update is
// serialised into its journal line when it is queued, so the caller's objects are never read later.

/** An update waiting for its batch (its journal line, and what placing it needs), and how to tell its writer the outcome. */
export interface PendingWrite {
  at: Placement;
  line: string;
  done: (error?: unknown) => void;
}

/** The state of one `file-system` store instance. */
export interface FileSystemStoreState {
  readonly folder: string;
  readonly io: StoreIo;
  readonly compactMinBytes: number;
  /** Most runs kept indexed in memory. */
  readonly cacheSize: number;
  /** Placement indexes of recently written runs (least recently used first). */
  readonly cache: Map<string, IndexedRun>;
  /** One operation at a time per run. */
  readonly queue: KeyedQueue;
  readonly appender: JournalAppender;
  /** File paths of runs seen. */
  readonly known: Map<string, RunPaths>;
  /** Updates waiting for the batch being written. */
  readonly pending: Map<string, PendingWrite[]>;
  /** At most one run (the last one flushed) is held, and only until its next read or write. */
  handover: { runId: string; compacted: Compacted; run: RunLog; journalRemoved: boolean } | undefined;
}

/** The files of `runId` (a well-formed id: the façade checked it). */
export function pathsOf(state: FileSystemStoreState, runId: string): RunPaths {
  const found = state.known.get(runId);
  if (found) return found;
  const paths = runPaths(state.folder, runId);
  if (state.known.size > 1024) state.known.clear();
  state.known.set(runId, paths);
  return paths;
}

/** Drops what is held of `runId` (its index is rebuilt from the files when next needed). */
export function forget(state: FileSystemStoreState, runId: string): void {
  state.cache.delete(runId);
  if (state.handover?.runId === runId) state.handover = undefined;
  state.appender.close(runPaths(state.folder, runId).journal);
}

/** Keeps `entry` as the most recently used index, evicting the oldest beyond the cache size. */
export function remember(state: FileSystemStoreState, runId: string, entry: IndexedRun): IndexedRun {
  state.cache.delete(runId);
  state.cache.set(runId, entry);
  for (const oldest of state.cache.keys()) {
    if (state.cache.size <= state.cacheSize) break;
    forget(state, oldest);
  }
  return entry;
}

async function current(state: FileSystemStoreState, runId: string): Promise<IndexedRun> {
  const paths = pathsOf(state, runId);
  const cached = state.cache.get(runId);
  return remember(state, runId, cached ? await catchUp(cached, paths, state.io) : indexedFrom(await loadRun(paths, state.io)));
}

/** Queues `op` for the next batch of `runId` (serialised now); resolves once it is in the journal. */
export function write(state: FileSystemStoreState, runId: string, op: RunOp): Promise<void> {
  return new Promise((resolve, reject) => {
    if (state.handover?.runId === runId) state.handover = undefined;
    const done = (error?: unknown): void => (error === undefined ? resolve() : reject(error));
    const location = JSON.stringify(op.location);
    const item: PendingWrite = { at: placementOf(op, location), line: journalLine(op, location), done };
    const batch = state.pending.get(runId);
    if (batch) return void batch.push(item);
    state.pending.set(runId, [item]);
    // Queued now (a read or flush queued after this write waits for it), taken once the promise jobs
    // running now are done: what the engine writes in one go (a step and its branch's close) is one append.
    void state.queue.run(runId, () => afterPromiseJobs().then(() => writeBatch(state, runId))).catch(() => undefined);
  });
}

/** Resolves once the queue of promise jobs has drained (a tick callback queued from a job runs after all of them). */
const afterPromiseJobs = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/** Places each update of a batch; returns those that found their parent. */
async function prepareBatch(state: FileSystemStoreState, runId: string, batch: PendingWrite[]): Promise<{ entry: IndexedRun; accepted: PendingWrite[] }> {
  let entry = state.cache.get(runId) ?? (await current(state, runId));
  const accepted: PendingWrite[] = [];
  for (const item of batch) {
    try {
      if (placementProblemAt(entry.index, item.at)) entry = await current(state, runId);
      const problem = placementProblemAt(entry.index, item.at);
      if (problem) throw misplacedWrite(runId, problem);
      indexPlacement(entry.index, item.at);
      accepted.push(item);
    } catch (error) {
      item.done(error);
    }
  }
  return { entry, accepted };
}

async function writeBatch(state: FileSystemStoreState, runId: string): Promise<void> {
  const batch = state.pending.get(runId) ?? [];
  state.pending.delete(runId);
  let accepted: PendingWrite[] = [];
  try {
    const paths = pathsOf(state, runId);
    const prepared = await prepareBatch(state, runId, batch);
    accepted = prepared.accepted;
    let entry = prepared.entry;
    if (accepted.length === 0) return;
    const appended = state.appender.append(paths.journal, accepted.map((item) => item.line).join("\n"));
    const alone = appended.ino === entry.journalIno && appended.size === entry.journalOffset + appended.bytes;
    if (alone) entry.journalOffset = appended.size;
    else entry = await catchUp(entry, paths, state.io);
    remember(state, runId, entry);
    if (entry.journalOffset > Math.max(entry.snapshotBytes, state.compactMinBytes)) await compactAfterWrite(state, runId, paths, entry);
    for (const item of accepted) item.done();
  } catch (error) {
    // The index may hold updates that were not written: it is rebuilt from the files next time.
    forget(state, runId);
    for (const item of accepted) item.done(error);
    const told = new Set(accepted.map((a) => a.done));
    for (const item of batch) if (!told.has(item.done)) item.done(error);
  }
}

async function compactAfterWrite(state: FileSystemStoreState, runId: string, paths: RunPaths, entry: IndexedRun): Promise<void> {
  try {
    const compacted = await compactRun(paths, state.io, false);
    if (compacted) {
      const { snapshotIno, snapshotBytes, journalIno } = compacted;
      remember(state, runId, { snapshotIno, snapshotBytes, journalIno, journalOffset: 0, index: entry.index });
    }
  } catch (error) {
    // The update is safe in the journal; a later write or flush compacts again.
    forget(state, runId);
    state.io.warn(`Could not compact the run log journal ${paths.journal}: ${messageOf(error)}`);
  }
  state.appender.close(paths.journal);
}
