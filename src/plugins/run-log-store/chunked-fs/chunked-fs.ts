import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { RunnableError } from "../../../core/errors.js";
import type { LogLocation } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { Freed, RunHeader, RunLogStore } from "../../../ports/run-log-store.js";
import { type WriteObserver, createAtomic, removeIfExists, statOrNull } from "../shared/fs-utils.js";
import { acquireLeaseFile, leaseFileOf, leaseFileState } from "../shared/lease-file.js";
import { toJsonText } from "../shared/json-text.js";
import { createKeyedQueue } from "../shared/keyed-queue.js";
import { checkWritable } from "../shared/run-log-schema.js";
import { type RunOp, branchOp, describeLocation, runFromHeader, stepOp } from "../shared/run-ops.js";
import { cloneJson } from "../../../core/parameters.js";
import { misplacedWrite, runExists, runNotFound } from "../shared/store-errors.js";
import { readRunFolder } from "./assemble.js";
import { type ChunkKind, RUN_FILE, chunkFileName, createNanoClock, encodeName, seqSuffix } from "./chunk-names.js";
import { listChunkedRuns } from "./list-runs.js";
import { type RunIndex, addChunk, chunksOf, dropChunk, findChunk, loadIndex } from "./run-index.js";
import { removeRunFolder } from "./remove-run.js";
import { type RunFolder, TEMP_FOLDER, removeLeftovers, updateRunFile, writeInRun, writeParameters } from "./run-folder.js";

/** Options of {@link createChunkedFsRunLogStore}. */
export interface ChunkedFsStoreOptions {
  /** Absolute folder holding one folder per run. */
  folder: string;
  /** Config fields recorded in `run_config.run_log_store`. */
  recordedConfig?: Record<string, unknown>;
  warn?: (message: string) => void;
  /** Sees every write (tests count bytes with it). */
  observeWrites?: WriteObserver;
}

const INDEX_CACHE_SIZE = 32;

/** A place to write: a step (keyed by internal name) or a branch (keyed by its branch key). */
interface Target {
  kind: ChunkKind;
  name: string;
  /** JSON of the location stored with it. */
  locationKey: string;
}

/** The step or branch an op's target must sit in, or undefined for a top-level step. */
function parentTarget(kind: ChunkKind, location: LogLocation): Target | undefined {
  const last = location[location.length - 1];
  if (!last) return undefined;
  if (kind === "step") return { kind: "branch", name: last[1], locationKey: JSON.stringify(location) };
  return { kind: "step", name: last[0], locationKey: JSON.stringify(location.slice(0, -1)) };
}

/**
 * The `chunked-fs` store (runnable's layout): `<folder>/<run_id>/RunLog.json`, `Parameter-<key>.json`,
 * `StepLog-<internal_name>-<time_ns>.json` and `BranchLog-<branch>-<time_ns>.json`. Each step and
 * branch file also stores its location (`_location`), so nesting never depends on splitting names.
 */
export function createChunkedFsRunLogStore(options: ChunkedFsStoreOptions): RunLogStore {
  const { folder, observeWrites: observe } = options;
  const warn = options.warn ?? (() => undefined);
  const queue = createKeyedQueue();
  const indexes = new Map<string, RunIndex>();
  const clock = createNanoClock();

  const dirOf = (runId: string): string => {
    const problem = validateRunId(runId);
    if (problem) throw new RunnableError("RUN_NOT_FOUND", `No run log with id "${runId}" in ${folder}: ${problem}`);
    return path.join(folder, runId);
  };
  const tempPrefix = `${process.pid}.${randomBytes(6).toString("hex")}`;
  let temps = 0;
  const tempName = (): string => `${tempPrefix}.${++temps}.tmp`;
  const runFolder = (runId: string): RunFolder => ({ runId, folder, dir: dirOf(runId), observe, tempName });
  /** Step and branch writes queue per entity (not per run): writes of different steps and branches interleave. */
  const entityWrite = (runId: string, kind: ChunkKind, name: string, task: () => Promise<void>): Promise<void> =>
    queue.run(`${runId}\u0000${kind}\u0000${name}`, task);

  const remember = (runId: string, index: RunIndex): RunIndex => {
    indexes.delete(runId);
    indexes.set(runId, index);
    for (const oldest of indexes.keys()) {
      if (indexes.size <= INDEX_CACHE_SIZE) break;
      indexes.delete(oldest);
    }
    return index;
  };

  const loading = new Map<string, Promise<RunIndex>>();
  const indexOf = (runId: string, refresh = false): Promise<RunIndex> => {
    const cached = refresh ? undefined : indexes.get(runId);
    if (cached) return Promise.resolve(cached);
    // Concurrent writers of one run share one listing (and so one index).
    const pending = refresh ? undefined : loading.get(runId);
    if (pending) return pending;
    const load = loadIndex(dirOf(runId)).then((index) => {
      if (!index) throw runNotFound(runId, folder);
      return remember(runId, index);
    });
    loading.set(runId, load);
    const done = (): void => {
      if (loading.get(runId) === load) loading.delete(runId);
    };
    load.then(done, done);
    return load;
  };

  const checkParent = async (runId: string, kind: ChunkKind, location: LogLocation, name: string): Promise<void> => {
    if (kind === "branch" && location.length === 0) {
      throw misplacedWrite(runId, `cannot put branch log "${name}": its location is empty`);
    }
    const parent = parentTarget(kind, location);
    if (!parent) return;
    for (const refresh of [false, true]) {
      const index = await indexOf(runId, refresh);
      if (await findChunk(index, dirOf(runId), parent.kind, encodeName(parent.name), parent.locationKey)) return;
    }
    const where = describeLocation(kind === "step" ? location : location.slice(0, -1));
    const missing = kind === "step" ? "there is no branch log at" : `there is no step log "${parent.name}" at`;
    throw misplacedWrite(runId, `cannot put ${kind} log "${name}": ${missing} ${where}`);
  };

  const writeChunk = async (runId: string, target: Target, content: unknown, seq: number | undefined): Promise<void> => {
    const dir = dirOf(runId);
    const index = await indexOf(runId);
    const encoded = encodeName(target.name);
    const existing = await findChunk(index, dir, target.kind, encoded, target.locationKey);
    const timeNs = existing?.timeNs ?? freeSuffix(index, target, encoded, seq);
    const file = existing?.file ?? chunkFileName(target.kind, encoded, timeNs);
    await writeInRun(runFolder(runId), file, toJsonText(content));
    if (!existing) addChunk(index, target.kind, encoded, { file, timeNs, location: target.locationKey });
  };

  /** The engine's order when given (bumped past a name another location took), else this instance's clock. */
  const freeSuffix = (index: RunIndex, target: Target, encoded: string, seq: number | undefined): bigint => {
    if (seq === undefined) return clock();
    const taken = new Set(chunksOf(index, target.kind, encoded).map((ref) => ref.timeNs));
    let suffix = seqSuffix(seq, target.locationKey);
    while (taken.has(suffix)) suffix++;
    return suffix;
  };

  const removeStep = (runId: string, location: LogLocation, internalName: string): Promise<void> =>
    entityWrite(runId, "step", internalName, async () => {
      const index = await indexOf(runId);
      const encoded = encodeName(internalName);
      const found = await findChunk(index, dirOf(runId), "step", encoded, JSON.stringify(location));
      if (!found) return;
      await removeIfExists(path.join(dirOf(runId), found.file));
      dropChunk(index, "step", encoded, found);
    });

  const updateRun = (runId: string, op: RunOp): Promise<void> =>
    queue.run(runId, async () => {
      checkWritable(runId, "op", op);
      await updateRunFile(runFolder(runId), op);
    });

  const create = (header: RunHeader): Promise<void> =>
    queue.run(header.run_id, async () => {
      const problem = validateRunId(header.run_id);
      if (problem) throw new RunnableError("INTERNAL", `Cannot create a run log: ${problem}`);
      const run = runFromHeader(header);
      checkWritable(header.run_id, "run", run);
      const dir = path.join(folder, header.run_id);
      await mkdir(path.join(dir, TEMP_FOLDER), { recursive: true });
      const created = await createAtomic(path.join(dir, RUN_FILE), toJsonText({ ...run, parameters: {} }), observe);
      if (created === undefined) throw runExists(header.run_id, folder);
      await removeLeftovers(dir);
      const index = remember(header.run_id, { chunks: new Map(), parameters: new Map() });
      await writeParameters(runFolder(header.run_id), index, run.parameters);
    });

  const remove = (runId: string): Promise<Freed> =>
    queue.run(runId, async () => {
      const dir = dirOf(runId);
      if (!(await statOrNull(path.join(dir, RUN_FILE)))) throw runNotFound(runId, folder);
      indexes.delete(runId);
      return removeRunFolder(dir, leaseFileOf(folder, runId));
    });

  return {
    type: "chunked-fs",
    recordedConfig: options.recordedConfig ?? {},
    create,
    exists: async (runId) =>
      validateRunId(runId) === undefined && (await statOrNull(path.join(folder, runId, RUN_FILE))) !== null,
    get: (runId) =>
      queue.run(runId, async () => {
        const { run, index } = await readRunFolder(dirOf(runId), runId, folder, warn);
        remember(runId, index);
        return run;
      }),
    setStatus: (runId, status) => updateRun(runId, { op: "status", location: [], payload: status }),
    setRunConfig: (runId, runConfig) => updateRun(runId, { op: "run_config", location: [], payload: cloneJson(runConfig) }),
    setParameters: (runId, parameters) =>
      queue.run(runId, async () => {
        const op: RunOp = { op: "parameters", location: [], payload: cloneJson(parameters) };
        checkWritable(runId, "op", op);
        await writeParameters(runFolder(runId), await indexOf(runId), op.payload);
      }),
    putStep: (runId, location, step, seq) =>
      entityWrite(runId, "step", step.internal_name, async () => {
        const op = stepOp(location, step);
        checkWritable(runId, "op", op);
        const { payload, location: where } = op;
        await checkParent(runId, "step", where, payload.internal_name);
        const target: Target = { kind: "step", name: payload.internal_name, locationKey: JSON.stringify(where) };
        await writeChunk(runId, target, { ...payload, _location: where }, seq);
      }),
    putBranch: (runId, location, branch, seq) =>
      entityWrite(runId, "branch", location[location.length - 1]?.[1] ?? branch.internal_name, async () => {
        const op = branchOp(location, branch);
        checkWritable(runId, "op", op);
        const { payload, location: where } = op;
        await checkParent(runId, "branch", where, payload.internal_name);
        const key = where[where.length - 1]?.[1] ?? payload.internal_name;
        await writeChunk(runId, { kind: "branch", name: key, locationKey: JSON.stringify(where) }, { ...payload, _location: where }, seq);
      }),
    removeStep,
    list: () => listChunkedRuns(folder, warn),
    delete: remove,
    flush: (runId) =>
      queue.run(runId, async () => {
        if (!(await statOrNull(path.join(dirOf(runId), RUN_FILE)))) throw runNotFound(runId, folder);
        indexes.delete(runId);
      }),
    acquireLease: async (runId, leaseOptions) => {
      dirOf(runId);
      await mkdir(folder, { recursive: true });
      return acquireLeaseFile(leaseFileOf(folder, runId), runId, leaseOptions);
    },
    leaseState: async (runId) => (validateRunId(runId) === undefined ? leaseFileState(leaseFileOf(folder, runId)) : { state: "none" }),
  };
}
