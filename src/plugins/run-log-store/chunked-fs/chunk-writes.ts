import { existsSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { LogLocation } from "../../../core/run-log.js";
import { type WriteObserver, removeIfExists } from "../shared/fs-utils.js";
import type { KeyedQueue } from "../shared/keyed-queue.js";
import { type RunOp, describeLocation } from "../shared/run-ops.js";
import { misplacedWrite, runNotFound } from "../shared/store-errors.js";
import { type ChunkKind, chunkFileName, encodeName, seqSuffix } from "./chunk-names.js";
import { type ChunkRef, type RunIndex, addChunk, chunksOf, dropChunk, findChunk, loadIndex, supersededChunks } from "./run-index.js";
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

/**
 * A step or branch file's text as runnable writes it (`json.dump(indent=4, ensure_ascii=True)`), the
 * same as `toJsonText` gives: one native `JSON.stringify`, as these files are small (the shared writer
 * cuts large run logs into pieces, which costs a step file more than its serialisation).
 */
export function chunkText(value: unknown): string {
  const text = JSON.stringify(value, null, 4);
  if (Buffer.byteLength(text, "utf8") === text.length) return text;
  return text.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
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

/**
 * The name of a new version of `existing`: the next suffix after it that no file of that name has, in
 * the index or on disk (another process may have written a version this one has not seen: it is kept,
 * and this write goes after it).
 */
function nextVersion(dir: string, index: RunIndex, target: Target, encoded: string, existing: ChunkRef): bigint {
  const taken = new Set(chunksOf(index, target.kind, encoded).map((ref) => ref.timeNs));
  let suffix = existing.timeNs + 1n;
  while (taken.has(suffix) || existsSync(path.join(dir, chunkFileName(target.kind, encoded, suffix)))) suffix++;
  return suffix;
}

/**
 * Writes a step or branch file. An update goes to a new file (the next suffix) beside the one it
 * replaces, which is removed at flush: replacing a file by a rename makes ext4 flush the new file's data
 * and free the old inode, and every freed inode slows the next file creations (the allocator skips
 * recently deleted inodes one by one) — that halved the file work of a 10,000-item map. Readers keep
 * the first file's position and the newest content. A file runnable wrote (no location) is replaced in place.
 */
async function writeChunk(state: ChunkedFsState, runId: string, target: Target, text: string, seq: number | undefined): Promise<void> {
  const dir = dirOf(state, runId);
  const index = await indexOf(state, runId);
  const encoded = encodeName(target.name);
  const existing = await findChunk(index, dir, target.kind, encoded, target.locationKey);
  if (existing?.location === null) return writeInRun(runFolder(state, runId), existing.file, text);
  const timeNs = existing ? nextVersion(dir, index, target, encoded, existing) : freeSuffix(state, index, target, encoded, seq);
  const file = chunkFileName(target.kind, encoded, timeNs);
  await writeInRun(runFolder(state, runId), file, text);
  addChunk(index, target.kind, encoded, { file, timeNs, location: target.locationKey });
}

/**
 * Removes the files of the run that newer versions replaced (at flush: the run's writes are done). A
 * file changed after its replacement was written (another process wrote that name again) is newer
 * content, as readers judge it (by modification time): it stays.
 */
export function removeSuperseded(state: ChunkedFsState, runId: string): void {
  const index = state.indexes.get(runId);
  if (!index) return;
  const dir = dirOf(state, runId);
  const mtime = (file: string): bigint | undefined => statSync(path.join(dir, file), { bigint: true, throwIfNoEntry: false })?.mtimeNs;
  for (const { kind, encodedName, ref, by } of supersededChunks(index)) {
    const [old, replacement] = [mtime(ref.file), mtime(by.file)];
    if (old !== undefined && replacement !== undefined && old > replacement) continue;
    rmSync(path.join(dir, ref.file), { force: true });
    dropChunk(index, kind, encodedName, ref);
  }
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
  const text = chunkText({ ...op.payload, _location: location });
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
    // every version of it (the current one and those not removed yet)
    for (const ref of chunksOf(index, "step", encoded).filter((other) => other.location === found.location)) {
      await removeIfExists(path.join(dirOf(state, runId), ref.file));
      dropChunk(index, "step", encoded, ref);
    }
  });
}
