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
import { type RunOp, applyOp, branchOp, jsonCopy, placementProblem, removeOp, runFromHeader, stepOp } from "../shared/run-ops.js";
import { misplacedWrite, runExists, runNotFound } from "../shared/store-errors.js";
import { compactRun } from "./compaction.js";
import { createJournalAppender, journalLine } from "./journal.js";
import { listRuns } from "./list-runs.js";
import { type CachedRun, type StoreIo, catchUp, loadRun, runPaths, touch } from "./run-files.js";

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

const DEFAULT_COMPACT_MIN_BYTES = 16 * 1024;

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
  const cache = new Map<string, CachedRun>();
  const queue = createKeyedQueue();
  const appender = createJournalAppender(io.observe);

  const pathsOf = (runId: string) => {
    const problem = validateRunId(runId);
    if (problem) throw new RunnableError("RUN_NOT_FOUND", `No run log with id "${runId}" in ${folder}: ${problem}`);
    return runPaths(folder, runId);
  };

  const forget = (runId: string): void => {
    cache.delete(runId);
    appender.close(runPaths(folder, runId).journal);
  };

  const remember = (runId: string, entry: CachedRun): CachedRun => {
    cache.delete(runId);
    cache.set(runId, entry);
    for (const oldest of cache.keys()) {
      if (cache.size <= cacheSize) break;
      forget(oldest);
    }
    return entry;
  };

  const current = async (runId: string): Promise<CachedRun> => {
    const paths = pathsOf(runId);
    const cached = cache.get(runId);
    return remember(runId, cached ? await catchUp(cached, paths, io) : await loadRun(paths, io));
  };

  const write = (runId: string, op: RunOp): Promise<void> =>
    queue.run(runId, async () => {
      const paths = pathsOf(runId);
      checkWritable(runId, "op", op);
      // The cache is trusted here; writes by other instances are noticed from the journal size below.
      let entry = cache.get(runId) ?? (await current(runId));
      if (placementProblem(entry.run, op)) {
        entry = await current(runId);
        const problem = placementProblem(entry.run, op);
        if (problem) throw misplacedWrite(runId, problem);
      }
      const appended = appender.append(paths.journal, journalLine(op));
      const alone = appended.ino === entry.journalIno && appended.size === entry.journalOffset + appended.bytes;
      if (alone && applyOp(entry.run, op)) entry.journalOffset = appended.size;
      else entry = await catchUp(entry, paths, io);
      if (entry.journalOffset <= Math.max(entry.snapshotBytes, compactMinBytes)) return void remember(runId, entry);
      try {
        remember(runId, await compactRun(entry, paths, io, false));
      } catch (error) {
        // The update is safe in the journal; a later write or flush compacts again.
        forget(runId);
        io.warn(`Could not compact the run log journal ${paths.journal}: ${messageOf(error)}`);
      }
      appender.close(paths.journal);
    });

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
      remember(header.run_id, { run, snapshotIno, snapshotBytes: Buffer.byteLength(text), journalIno, journalOffset: 0 });
    });

  const flush = (runId: string): Promise<void> =>
    queue.run(runId, async () => {
      const paths = pathsOf(runId);
      const entry = await current(runId);
      const [journal, rotated] = await Promise.all([statOrNull(paths.journal), statOrNull(paths.rotated)]);
      if (Number(journal?.size ?? 0n) > 0 || rotated) await compactRun(entry, paths, io, true);
      forget(runId);
      // A flushed run leaves no empty journal behind (a later writer's append makes a new one).
      if ((await statOrNull(paths.journal))?.size === 0n) await removeIfExists(paths.journal);
    });

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
    // A run this instance has in memory is handed out as a copy; any other is read fresh (and not kept).
    get: (runId) =>
      queue.run(runId, async () => {
        const cached = cache.get(runId);
        if (cached) return structuredClone((await current(runId)).run);
        return (await loadRun(pathsOf(runId), io)).run;
      }),
    setStatus: (runId, status) => write(runId, { op: "status", location: [], payload: status }),
    setParameters: (runId, parameters) => write(runId, { op: "parameters", location: [], payload: jsonCopy(parameters) }),
    setRunConfig: (runId, runConfig) => write(runId, { op: "run_config", location: [], payload: jsonCopy(runConfig) }),
    putStep: (runId, location, step, seq) => write(runId, stepOp(location, step, seq)),
    putBranch: (runId, location, branch, seq) => write(runId, branchOp(location, branch, seq)),
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

