import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { cloneJson } from "../../../core/parameters.js";
import type { RunLog } from "../../../core/run-log.js";
import type { Freed, RunLogStore, RunLogStoreDriver, RunOp } from "../../../ports/run-log-store.js";
import { type WriteObserver, createAtomic, statOrNull } from "../shared/fs-utils.js";
import { toJsonText } from "../shared/json-text.js";
import { createKeyedQueue } from "../shared/keyed-queue.js";
import { folderLeases, leaseFileOf } from "../shared/lease-file.js";
import { createRunLogStore } from "../shared/run-log-store-facade.js";
import { runExists } from "../shared/store-errors.js";
import { readRunFolder } from "./assemble.js";
import { RUN_FILE, createNanoClock } from "./chunk-names.js";
import { type ChunkedFsState, dirOf, indexOf, entityWriter, remember, removeStep, removeSuperseded, runFolder } from "./chunk-writes.js";
import { listChunkedRuns } from "./list-runs.js";
import { removeRunFolder } from "./remove-run.js";
import { TEMP_FOLDER, removeLeftovers, updateRunFile, writeParameters } from "./run-folder.js";

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

/**
 * The `chunked-fs` store's driver (runnable's layout): `<folder>/<run_id>/RunLog.json`,
 * `Parameter-<key>.json`, `StepLog-<internal_name>-<n>.json` and `BranchLog-<branch>-<n>.json`. Each
 * step and branch file also stores its location (`_location`), so nesting never depends on splitting names.
 */
export function createChunkedFsDriver(options: ChunkedFsStoreOptions): RunLogStoreDriver {
  const state: ChunkedFsState = {
    folder: options.folder,
    observe: options.observeWrites,
    warn: options.warn ?? (() => undefined),
    queue: createKeyedQueue(),
    indexes: new Map(),
    loading: new Map(),
    clock: createNanoClock(),
    tempPrefix: `${process.pid}.${randomBytes(6).toString("hex")}`,
    temps: 0,
  };
  const { folder, queue } = state;
  return {
    type: "chunked-fs",
    recordedConfig: options.recordedConfig ?? {},
    traits: { persistent: true, sharing: "folder", leases: true },
    where: folder,
    // Step and branch logs are serialised, run-level payloads copied, when apply is called.
    readsOpsAtOnce: true,
    create: (run) => queue.run(run.run_id, () => create(state, run)),
    apply: (runId, ops) => apply(state, runId, ops),
    read: (runId) => queue.run(runId, () => read(state, runId)),
    exists: async (runId) => (await statOrNull(path.join(folder, runId, RUN_FILE))) !== null,
    list: () => listChunkedRuns(folder, state.warn),
    remove: (runId) => queue.run(runId, () => remove(state, runId)),
    flush: (runId) =>
      queue.run(runId, async () => {
        removeSuperseded(state, runId);
        state.indexes.delete(runId);
        return (await statOrNull(path.join(dirOf(state, runId), RUN_FILE))) !== null;
      }),
    ...folderLeases(folder),
  };
}

/** The `chunked-fs` run log store: the façade over {@link createChunkedFsDriver}. */
export function createChunkedFsRunLogStore(options: ChunkedFsStoreOptions): RunLogStore {
  return createRunLogStore(createChunkedFsDriver(options));
}

/**
 * The write of one op, prepared now (serialised or copied) and started when called: steps and branches
 * queue per entity, parameters and the run file per run.
 */
function writer(state: ChunkedFsState, runId: string, op: RunOp): () => Promise<void> {
  switch (op.op) {
    case "step":
    case "branch":
      return entityWriter(state, runId, op);
    case "remove": {
      const location = cloneJson(op.location);
      return () => removeStep(state, runId, location, op.payload);
    }
    case "parameters": {
      const parameters = cloneJson(op.payload);
      return () => state.queue.run(runId, async () => writeParameters(runFolder(state, runId), await indexOf(state, runId), parameters));
    }
    case "status":
    case "parameter_kinds":
    case "run_config":
    case "job": {
      const copy = cloneJson(op);
      return () => state.queue.run(runId, () => updateRunFile(runFolder(state, runId), copy));
    }
  }
}

/** Applies ops in order; the first is queued before apply returns (as the call that made it), the rest after it. */
async function apply(state: ChunkedFsState, runId: string, ops: readonly RunOp[]): Promise<void> {
  const writes = ops.map((op) => writer(state, runId, op));
  for (const write of writes) await write();
}

async function create(state: ChunkedFsState, run: RunLog): Promise<void> {
  const dir = path.join(state.folder, run.run_id);
  await mkdir(path.join(dir, TEMP_FOLDER), { recursive: true });
  const created = await createAtomic(path.join(dir, RUN_FILE), toJsonText({ ...run, parameters: {} }), state.observe);
  if (created === undefined) throw runExists(run.run_id, state.folder);
  await removeLeftovers(dir);
  const index = remember(state, run.run_id, { chunks: new Map(), parameters: new Map() });
  await writeParameters(runFolder(state, run.run_id), index, run.parameters);
}

async function read(state: ChunkedFsState, runId: string): Promise<RunLog | undefined> {
  const found = await readRunFolder(dirOf(state, runId), state.warn);
  if (!found) return undefined;
  remember(state, runId, found.index);
  return found.run;
}

async function remove(state: ChunkedFsState, runId: string): Promise<Freed | undefined> {
  const dir = dirOf(state, runId);
  if (!(await statOrNull(path.join(dir, RUN_FILE)))) return undefined;
  state.indexes.delete(runId);
  return removeRunFolder(dir, leaseFileOf(state.folder, runId));
}
