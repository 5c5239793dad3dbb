import { mkdir } from "node:fs/promises";
import { RunnableError, messageOf } from "../../../core/errors.js";
import type { RunLog } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { Freed, RunHeader, RunLogStore } from "../../../ports/run-log-store.js";
import { type WriteObserver, createAtomic, removeIfExists, statOrNull } from "../shared/fs-utils.js";
import { toJsonText } from "../shared/json-text.js";
import { checkWritable } from "../shared/run-log-schema.js";
import { createKeyedQueue } from "../shared/keyed-queue.js";
import { acquireLeaseFile, leaseFileOf, leaseFileState } from "../shared/lease-file.js";
import { emptyIndex, indexOp, placementProblemIn } from "../shared/placement-index.js";
import { type RunOp, removeOp, runFromHeader, uncopiedBranchOp, uncopiedStepOp } from "../shared/run-ops.js";
import { cloneJson } from "../../../core/parameters.js";
import { misplacedWrite, runExists, runNotFound } from "../shared/store-errors.js";
import { type Compacted, compactRun } from "./compaction.js";
import { createJournalAppender, journalLine } from "./journal.js";
import { listRuns } from "./list-runs.js";
import { type IndexedRun, type StoreIo, catchUp, indexedFrom, loadRun, runPaths, touch } from "./run-files.js";

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
 * The `file-system` store: `<folder>/<run_id>.json` is a complete run log (replaced atomically); updates
 * are appended to `<run_id>.journal.jsonl` and folded into the snapshot when the journal outgrows it
 * and on `flush`, so an update costs the same however large the run is.
 */
export function createFileSystemRunLogStore(options: FileSystemStoreOptions): RunLogStore {
  const { folder } = options;
  const io: StoreIo = { warn: options.warn ?? (() => undefined), observe: options.observeWrites };
  const compactMinBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
  const cacheSize = options.cacheSize ?? 16;
  const cache = new Map<string, IndexedRun>();
  const queue = createKeyedQueue();
  const appender = createJournalAppender(io.observe);

  const known = new Map<string, ReturnType<typeof runPaths>>();
  const pathsOf = (runId: string) => {
    const found = known.get(runId);
    if (found) return found;
    const problem = validateRunId(runId);
    if (problem) throw new RunnableError("RUN_NOT_FOUND", `No run log with id "${runId}" in ${folder}: ${problem}`);
    const paths = runPaths(folder, runId);
    if (known.size > 1024) known.clear();
    known.set(runId, paths);
    return paths;
  };

  const forget = (runId: string): void => {
    cache.delete(runId);
    if (handover?.runId === runId) handover = undefined;
    appender.close(runPaths(folder, runId).journal);
  };

  const remember = (runId: string, entry: IndexedRun): IndexedRun => {
    cache.delete(runId);
    cache.set(runId, entry);
    for (const oldest of cache.keys()) {
      if (cache.size <= cacheSize) break;
      forget(oldest);
    }
    return entry;
  };

  const current = async (runId: string): Promise<IndexedRun> => {
    const paths = pathsOf(runId);
    const cached = cache.get(runId);
    return remember(runId, cached ? await catchUp(cached, paths, io) : indexedFrom(await loadRun(paths, io)));
  };

  // Writes to one run are batched: every update queued while the previous batch was being written goes
  // out in one append (fan-out and parallel branches write many at once), each still checked on its own.
  const pending = new Map<string, Array<{ op: RunOp; done: (error?: unknown) => void }>>();
  // At most one run (the last one flushed) is held, and only until its next read or write.
  let handover: { runId: string; compacted: Compacted; run: RunLog; journalRemoved: boolean } | undefined;

  const write = (runId: string, given: RunOp): Promise<void> =>
    new Promise((resolve, reject) => {
      if (handover?.runId === runId) handover = undefined;
      const done = (error?: unknown): void => (error === undefined ? resolve() : reject(error));
      const batch = pending.get(runId);
      if (batch) return void batch.push({ op: given, done });
      pending.set(runId, [{ op: given, done }]);
      void queue.run(runId, () => writeBatch(runId)).catch(() => undefined);
    });

  /** Checks and serialises each update of a batch; returns the journal text of those that passed. */
  const prepareBatch = async (runId: string, batch: Array<{ op: RunOp; done: (error?: unknown) => void }>) => {
    let entry = cache.get(runId) ?? (await current(runId));
    const accepted: Array<{ op: RunOp; line: string; done: (error?: unknown) => void }> = [];
    for (const item of batch) {
      try {
        checkWritable(runId, "op", item.op);
        // Serialised once, into the journal line; the index keeps only strings, never the caller's objects.
        const line = journalLine(item.op);
        const op = item.op;
        if (placementProblemIn(entry.index, op)) entry = await current(runId);
        const problem = placementProblemIn(entry.index, op);
        if (problem) throw misplacedWrite(runId, problem);
        indexOp(entry.index, op);
        accepted.push({ op, line, done: item.done });
      } catch (error) {
        item.done(error);
      }
    }
    return { entry, accepted };
  };

  const writeBatch = async (runId: string): Promise<void> => {
    const batch = pending.get(runId) ?? [];
    pending.delete(runId);
    let accepted: Array<{ op: RunOp; line: string; done: (error?: unknown) => void }> = [];
    try {
      const paths = pathsOf(runId);
      const prepared = await prepareBatch(runId, batch);
      accepted = prepared.accepted;
      let entry = prepared.entry;
      if (accepted.length === 0) return;
      const appended = appender.append(paths.journal, accepted.map((item) => item.line).join("\n"));
      const alone = appended.ino === entry.journalIno && appended.size === entry.journalOffset + appended.bytes;
      if (alone) entry.journalOffset = appended.size;
      else entry = await catchUp(entry, paths, io);
      remember(runId, entry);
      if (entry.journalOffset > Math.max(entry.snapshotBytes, compactMinBytes)) await compactAfterWrite(runId, paths, entry);
      for (const item of accepted) item.done();
    } catch (error) {
      // The index may hold updates that were not written: it is rebuilt from the files next time.
      forget(runId);
      for (const item of accepted) item.done(error);
      const told = new Set(accepted.map((a) => a.done));
      for (const item of batch) if (!told.has(item.done)) item.done(error);
    }
  };

  const compactAfterWrite = async (runId: string, paths: ReturnType<typeof runPaths>, entry: IndexedRun): Promise<void> => {
    try {
      const compacted = await compactRun(paths, io, false);
      if (compacted) remember(runId, { snapshotIno: compacted.snapshotIno, snapshotBytes: compacted.snapshotBytes, journalIno: compacted.journalIno, journalOffset: 0, index: entry.index });
    } catch (error) {
      // The update is safe in the journal; a later write or flush compacts again.
      forget(runId);
      io.warn(`Could not compact the run log journal ${paths.journal}: ${messageOf(error)}`);
    }
    appender.close(paths.journal);
  };

  const create = (header: RunHeader): Promise<void> =>
    queue.run(header.run_id, async () => {
      const problem = validateRunId(header.run_id);
      if (problem) throw new RunnableError("INTERNAL", `Cannot create a run log: ${problem}`);
      const run: RunLog = runFromHeader(header);
      checkWritable(header.run_id, "run", run);
      const paths = runPaths(folder, header.run_id);
      await mkdir(folder, { recursive: true });
      if (await statOrNull(paths.snapshot)) throw runExists(header.run_id, folder);
      // Journals left by a deleted run of the same id must not leak into the new one.
      await Promise.all([removeIfExists(paths.journal), removeIfExists(paths.rotated), removeIfExists(paths.order)]);
      const text = toJsonText(run);
      const snapshotIno = await createAtomic(paths.snapshot, text, io.observe);
      if (snapshotIno === undefined) throw runExists(header.run_id, folder);
      const journalIno = await touch(paths.journal);
      remember(header.run_id, { index: emptyIndex(), snapshotIno, snapshotBytes: Buffer.byteLength(text), journalIno, journalOffset: 0 });
    });

  const flush = (runId: string): Promise<void> =>
    queue.run(runId, async () => {
      const paths = pathsOf(runId);
      if (!(await statOrNull(paths.snapshot))) throw runNotFound(runId, folder);
      const [journal, rotated] = await Promise.all([statOrNull(paths.journal), statOrNull(paths.rotated)]);
      const compacted = Number(journal?.size ?? 0n) > 0 || rotated ? await compactRun(paths, io, true) : undefined;
      forget(runId);
      // A flushed run leaves no empty journal behind (a later writer's append makes a new one).
      const emptied = (await statOrNull(paths.journal))?.size === 0n;
      if (emptied) await removeIfExists(paths.journal);
      // The run just written is handed to the next get() of this run (the end of a run reads it back).
      if (compacted?.written) handover = { runId, compacted, run: compacted.written, journalRemoved: emptied };
    });

  /** The run a flush wrote, once, while its files are still exactly what that flush left. */
  const takeHandover = async (runId: string): Promise<RunLog | undefined> => {
    const taken = handover;
    handover = undefined;
    if (taken?.runId !== runId) return undefined;
    const paths = pathsOf(runId);
    const [snapshot, journal, rotated] = await Promise.all([statOrNull(paths.snapshot), statOrNull(paths.journal), statOrNull(paths.rotated)]);
    const unchanged = snapshot?.ino === taken.compacted.snapshotIno && Number(snapshot.size) === taken.compacted.snapshotBytes;
    const journalUnchanged = taken.journalRemoved ? journal === null : journal?.ino === taken.compacted.journalIno && journal.size === 0n;
    return unchanged && journalUnchanged && !rotated ? taken.run : undefined;
  };

  const remove = (runId: string): Promise<Freed> =>
    queue.run(runId, async () => {
      const paths = pathsOf(runId);
      if (!(await statOrNull(paths.snapshot))) throw runNotFound(runId, folder);
      forget(runId);
      let freedBytes = 0;
      for (const file of [paths.snapshot, paths.journal, paths.rotated, paths.order, paths.lock, leaseFileOf(folder, runId)]) {
        freedBytes += Number((await statOrNull(file))?.size ?? 0n);
        await removeIfExists(file);
      }
      return { freedBytes };
    });

  return {
    type: "file-system",
    recordedConfig: options.recordedConfig ?? {},
    create,
    exists: async (runId) => validateRunId(runId) === undefined && (await statOrNull(runPaths(folder, runId).snapshot)) !== null,
    // Read from the files each time (the store keeps only where logs are, not their content).
    get: (runId) => queue.run(runId, async () => (await takeHandover(runId)) ?? (await loadRun(pathsOf(runId), io)).run),
    setStatus: (runId, status) => write(runId, { op: "status", location: [], payload: status }),
    setParameters: (runId, parameters) => write(runId, { op: "parameters", location: [], payload: cloneJson(parameters) }),
    setRunConfig: (runId, runConfig) => write(runId, { op: "run_config", location: [], payload: cloneJson(runConfig) }),
    putStep: (runId, location, step, seq) => write(runId, uncopiedStepOp(location, step, seq)),
    putBranch: (runId, location, branch, seq) => write(runId, uncopiedBranchOp(location, branch, seq)),
    removeStep: (runId, location, internalName) => write(runId, removeOp(location, internalName)),
    list: () => listRuns(folder, io),
    delete: remove,
    flush,
    acquireLease: async (runId, leaseOptions) => {
      pathsOf(runId);
      await mkdir(folder, { recursive: true });
      return acquireLeaseFile(leaseFileOf(folder, runId), runId, leaseOptions);
    },
    leaseState: async (runId) => (validateRunId(runId) === undefined ? leaseFileState(leaseFileOf(folder, runId)) : { state: "none" }),
  };
}

