import { mkdir } from "node:fs/promises";
import { RunnableError } from "../../../core/errors.js";
import type { RunLog } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { Freed, RunHeader, RunLogStore } from "../../../ports/run-log-store.js";
import { type WriteObserver, createAtomic, removeIfExists, statOrNull } from "../shared/fs-utils.js";
import { toJsonText } from "../shared/json-text.js";
import { checkWritable } from "../shared/run-log-schema.js";
import { createKeyedQueue } from "../shared/keyed-queue.js";
import { acquireLeaseFile, leaseFileOf, leaseFileState } from "../shared/lease-file.js";
import { emptyIndex } from "../shared/placement-index.js";
import { removeOp, runFromHeader, uncopiedBranchOp, uncopiedStepOp } from "../shared/run-ops.js";
import { cloneJson } from "../../../core/parameters.js";
import { runExists, runNotFound } from "../shared/store-errors.js";
import { compactRun } from "./compaction.js";
import { createJournalAppender } from "./journal.js";
import { listRuns } from "./list-runs.js";
import { loadRun, runPaths, touch } from "./run-files.js";
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
 * The `file-system` store: `<folder>/<run_id>.json` is a complete run log (replaced atomically); updates
 * are appended to `<run_id>.journal.jsonl` (store-state.ts) and folded into the snapshot when the journal
 * outgrows it and on `flush`, so an update costs the same however large the run is.
 */
export function createFileSystemRunLogStore(options: FileSystemStoreOptions): RunLogStore {
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
    create: (header) => queue.run(header.run_id, () => create(state, header)),
    exists: async (runId) => validateRunId(runId) === undefined && (await statOrNull(runPaths(folder, runId).snapshot)) !== null,
    // Read from the files each time (the store keeps only where logs are, not their content).
    get: (runId) => queue.run(runId, async () => (await takeHandover(state, runId)) ?? (await loadRun(pathsOf(state, runId), io)).run),
    setStatus: (runId, status) => write(state, runId, { op: "status", location: [], payload: status }),
    setParameters: (runId, parameters) => write(state, runId, { op: "parameters", location: [], payload: cloneJson(parameters) }),
    setRunConfig: (runId, runConfig) => write(state, runId, { op: "run_config", location: [], payload: cloneJson(runConfig) }),
    putStep: (runId, location, step, seq) => write(state, runId, uncopiedStepOp(location, step, seq)),
    putBranch: (runId, location, branch, seq) => write(state, runId, uncopiedBranchOp(location, branch, seq)),
    removeStep: (runId, location, internalName) => write(state, runId, removeOp(location, internalName)),
    list: () => listRuns(folder, io),
    delete: (runId) => queue.run(runId, () => remove(state, runId)),
    flush: (runId) => queue.run(runId, () => flush(state, runId)),
    acquireLease: async (runId, leaseOptions) => {
      pathsOf(state, runId);
      await mkdir(folder, { recursive: true });
      return acquireLeaseFile(leaseFileOf(folder, runId), runId, leaseOptions);
    },
    leaseState: async (runId) => (validateRunId(runId) === undefined ? leaseFileState(leaseFileOf(folder, runId)) : { state: "none" }),
  };
}

async function create(state: FileSystemStoreState, header: RunHeader): Promise<void> {
  const problem = validateRunId(header.run_id);
  if (problem) throw new RunnableError("INTERNAL", `Cannot create a run log: ${problem}`);
  const run: RunLog = runFromHeader(header);
  checkWritable(header.run_id, "run", run);
  const paths = runPaths(state.folder, header.run_id);
  await mkdir(state.folder, { recursive: true });
  if (await statOrNull(paths.snapshot)) throw runExists(header.run_id, state.folder);
  // Journals left by a deleted run of the same id must not leak into the new one.
  await Promise.all([removeIfExists(paths.journal), removeIfExists(paths.rotated), removeIfExists(paths.order)]);
  const text = toJsonText(run);
  const snapshotIno = await createAtomic(paths.snapshot, text, state.io.observe);
  if (snapshotIno === undefined) throw runExists(header.run_id, state.folder);
  const journalIno = await touch(paths.journal);
  remember(state, header.run_id, { index: emptyIndex(), snapshotIno, snapshotBytes: Buffer.byteLength(text), journalIno, journalOffset: 0 });
}

async function flush(state: FileSystemStoreState, runId: string): Promise<void> {
  const paths = pathsOf(state, runId);
  if (!(await statOrNull(paths.snapshot))) throw runNotFound(runId, state.folder);
  const [journal, rotated] = await Promise.all([statOrNull(paths.journal), statOrNull(paths.rotated)]);
  const compacted = Number(journal?.size ?? 0n) > 0 || rotated ? await compactRun(paths, state.io, true) : undefined;
  forget(state, runId);
  // A flushed run leaves no empty journal behind (a later writer's append makes a new one).
  const emptied = (await statOrNull(paths.journal))?.size === 0n;
  if (emptied) await removeIfExists(paths.journal);
  // The run just written is handed to the next get() of this run (the end of a run reads it back).
  if (compacted?.written) state.handover = { runId, compacted, run: compacted.written, journalRemoved: emptied };
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

async function remove(state: FileSystemStoreState, runId: string): Promise<Freed> {
  const paths = pathsOf(state, runId);
  if (!(await statOrNull(paths.snapshot))) throw runNotFound(runId, state.folder);
  forget(state, runId);
  let freedBytes = 0;
  for (const file of [paths.snapshot, paths.journal, paths.rotated, paths.order, paths.lock, leaseFileOf(state.folder, runId)]) {
    freedBytes += Number((await statOrNull(file))?.size ?? 0n);
    await removeIfExists(file);
  }
  return { freedBytes };
}
