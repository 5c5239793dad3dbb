import path from "node:path";
import type { LogLocation } from "../../../core/run-log.js";
import { type WriteObserver, removeIfExists } from "../shared/fs-utils.js";
import { toJsonText } from "../shared/json-text.js";
import type { KeyedQueue } from "../shared/keyed-queue.js";
import { type RunOp, describeLocation } from "../shared/run-ops.js";
import { misplacedWrite, runNotFound } from "../shared/store-errors.js";
import { type ChunkKind, chunkFileName, encodeName, seqSuffix } from "./chunk-names.js";
import { type RunIndex, addChunk, chunksOf, dropChunk, findChunk, loadIndex } from "./run-index.js";
import { type RunFolder, writeInRun } from "./run-folder.js";

// The `chunked-fs` store's state and its step and branch writes: each step log and branch log is one
// file of its own, found through a per-run index of the run folder's listing.

const INDEX_CACHE_SIZE = 32;

/** The state of one `chunked-fs` store instance. */
export interface ChunkedFsState {
  readonly folder: string;
  readonly observe: WriteObserver | undefined;
  readonly warn: (message: string) => void;
  /** One operation at a time per run (run file, parameters) and per step or branch. */
  readonly queue: KeyedQueue;
  /** Indexes of recently used runs (least recently used first). */
  readonly indexes: Map<string, RunIndex>;
  /** Listings in progress: concurrent writers of one run share one. */
  readonly loading: Map<string, Promise<RunIndex>>;
  /** Chunk time suffixes when the engine gives no order. */
  readonly clock: () => bigint;
  /** Prefix of this instance's temp file names. */
  readonly tempPrefix: string;
  temps: number;
}

/** A place to write: a step (keyed by internal name) or a branch (keyed by its branch key). */
interface Target {
  kind: ChunkKind;
  name: string;
  /** JSON of the location stored with it. */
  locationKey: string;
}

/** The folder of `runId` (a well-formed id: the façade checked it). */
export function dirOf(state: ChunkedFsState, runId: string): string {
  return path.join(state.folder, runId);
}

/** What the run-folder helpers need to write into `runId`'s folder. */
export function runFolder(state: ChunkedFsState, runId: string): RunFolder {
  const tempName = (): string => `${state.tempPrefix}.${++state.temps}.tmp`;
  return { runId, folder: state.folder, dir: dirOf(state, runId), observe: state.observe, tempName };
}

/** Keeps `index` as the most recently used, evicting the oldest beyond the cache size. */
export function remember(state: ChunkedFsState, runId: string, index: RunIndex): RunIndex {
  state.indexes.delete(runId);
  state.indexes.set(runId, index);
  for (const oldest of state.indexes.keys()) {
    if (state.indexes.size <= INDEX_CACHE_SIZE) break;
    state.indexes.delete(oldest);
  }
  return index;
}

/** The index of `runId`: cached, or read from its folder (`refresh` reads it again). */
export function indexOf(state: ChunkedFsState, runId: string, refresh = false): Promise<RunIndex> {
  const cached = refresh ? undefined : state.indexes.get(runId);
  if (cached) return Promise.resolve(cached);
  const pending = refresh ? undefined : state.loading.get(runId);
  if (pending) return pending;
  const load = loadIndex(dirOf(state, runId)).then((index) => {
    if (!index) throw runNotFound(runId, state.folder);
    return remember(state, runId, index);
  });
  state.loading.set(runId, load);
  const done = (): void => {
    if (state.loading.get(runId) === load) state.loading.delete(runId);
  };
  load.then(done, done);
  return load;
}

/** Step and branch writes queue per entity (not per run): writes of different steps and branches interleave. */
function entityWrite(state: ChunkedFsState, runId: string, kind: ChunkKind, name: string, task: () => Promise<void>): Promise<void> {
  return state.queue.run(`${runId}\u0000${kind}\u0000${name}`, task);
}

/** The step or branch an op's target must sit in, or undefined for a top-level step. */
function parentTarget(kind: ChunkKind, location: LogLocation): Target | undefined {
  const last = location[location.length - 1];
  if (!last) return undefined;
  if (kind === "step") return { kind: "branch", name: last[1], locationKey: JSON.stringify(location) };
  return { kind: "step", name: last[0], locationKey: JSON.stringify(location.slice(0, -1)) };
}

async function checkParent(state: ChunkedFsState, runId: string, kind: ChunkKind, location: LogLocation, name: string): Promise<void> {
  const parent = parentTarget(kind, location);
  if (!parent) return;
  for (const refresh of [false, true]) {
    const index = await indexOf(state, runId, refresh);
    if (await findChunk(index, dirOf(state, runId), parent.kind, encodeName(parent.name), parent.locationKey)) return;
  }
  const where = describeLocation(kind === "step" ? location : location.slice(0, -1));
  const missing = kind === "step" ? "there is no branch log at" : `there is no step log "${parent.name}" at`;
  throw misplacedWrite(runId, `cannot put ${kind} log "${name}": ${missing} ${where}`);
}

/** The engine's order when given (bumped past a name another location took), else this instance's clock. */
function freeSuffix(state: ChunkedFsState, index: RunIndex, target: Target, encoded: string, seq: number | undefined): bigint {
  if (seq === undefined) return state.clock();
  const taken = new Set(chunksOf(index, target.kind, encoded).map((ref) => ref.timeNs));
  let suffix = seqSuffix(seq, target.locationKey);
  while (taken.has(suffix)) suffix++;
  return suffix;
}

async function writeChunk(state: ChunkedFsState, runId: string, target: Target, text: string, seq: number | undefined): Promise<void> {
  const dir = dirOf(state, runId);
  const index = await indexOf(state, runId);
  const encoded = encodeName(target.name);
  const existing = await findChunk(index, dir, target.kind, encoded, target.locationKey);
  const timeNs = existing?.timeNs ?? freeSuffix(state, index, target, encoded, seq);
  const file = existing?.file ?? chunkFileName(target.kind, encoded, timeNs);
  await writeInRun(runFolder(state, runId), file, text);
  if (!existing) addChunk(index, target.kind, encoded, { file, timeNs, location: target.locationKey });
}

/**
 * The write of a step or branch log, serialised now and queued when the returned function is called
 * (the caller's objects, which may change before the write's turn comes, are never read later).
 */
export function entityWriter(state: ChunkedFsState, runId: string, op: Extract<RunOp, { op: "step" | "branch" }>): () => Promise<void> {
  const location: LogLocation = op.location.map(([step, branch]) => [step, branch]);
  const kind: ChunkKind = op.op;
  const label = op.payload.internal_name;
  // A step is keyed by its internal name, a branch by its branch key (the façade refuses an empty location).
  const name = kind === "step" ? label : (location[location.length - 1]?.[1] ?? label);
  const text = toJsonText({ ...op.payload, _location: location });
  const target: Target = { kind, name, locationKey: JSON.stringify(location) };
  return () =>
    entityWrite(state, runId, kind, name, async () => {
      await checkParent(state, runId, kind, location, label);
      await writeChunk(state, runId, target, text, op.seq);
    });
}

/** Removes a step log (nothing to do when it is not there). */
export function removeStep(state: ChunkedFsState, runId: string, location: LogLocation, internalName: string): Promise<void> {
  const locationKey = JSON.stringify(location);
  return entityWrite(state, runId, "step", internalName, async () => {
    const index = await indexOf(state, runId);
    const encoded = encodeName(internalName);
    const found = await findChunk(index, dirOf(state, runId), "step", encoded, locationKey);
    if (!found) return;
    await removeIfExists(path.join(dirOf(state, runId), found.file));
    dropChunk(index, "step", encoded, found);
  });
}
