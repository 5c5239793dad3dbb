import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { RunnableError } from "../../../core/errors.js";
import { validateRunId } from "../../../core/run-id.js";
import type { Freed, RunHeader, RunLogStore } from "../../../ports/run-log-store.js";
import { type WriteObserver, createAtomic, statOrNull } from "../shared/fs-utils.js";
import { acquireLeaseFile, leaseFileOf, leaseFileState } from "../shared/lease-file.js";
import { toJsonText } from "../shared/json-text.js";
import { createKeyedQueue } from "../shared/keyed-queue.js";
import { checkWritable } from "../shared/run-log-schema.js";
import { type RunOp, runFromHeader } from "../shared/run-ops.js";
import { cloneJson } from "../../../core/parameters.js";
import { runExists, runNotFound } from "../shared/store-errors.js";
import { readRunFolder } from "./assemble.js";
import { RUN_FILE, createNanoClock } from "./chunk-names.js";
import { type ChunkedFsState, dirOf, indexOf, putBranch, putStep, remember, removeStep, runFolder } from "./chunk-writes.js";
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
 * The `chunked-fs` store (runnable's layout): `<folder>/<run_id>/RunLog.json`, `Parameter-<key>.json`,
 * `StepLog-<internal_name>-<time_ns>.json` and `BranchLog-<branch>-<time_ns>.json`. Each step and
 * branch file also stores its location (`_location`), so nesting never depends on splitting names.
 */
export function createChunkedFsRunLogStore(options: ChunkedFsStoreOptions): RunLogStore {
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
    create: (header) => queue.run(header.run_id, () => create(state, header)),
    exists: async (runId) => validateRunId(runId) === undefined && (await statOrNull(path.join(folder, runId, RUN_FILE))) !== null,
    get: (runId) =>
      queue.run(runId, async () => {
        const { run, index } = await readRunFolder(dirOf(state, runId), runId, folder, state.warn);
        remember(state, runId, index);
        return run;
      }),
    setStatus: (runId, status) => updateRun(state, runId, { op: "status", location: [], payload: status }),
    setRunConfig: (runId, runConfig) => updateRun(state, runId, { op: "run_config", location: [], payload: cloneJson(runConfig) }),
    setParameters: (runId, parameters) =>
      queue.run(runId, async () => {
        const op: RunOp = { op: "parameters", location: [], payload: cloneJson(parameters) };
        checkWritable(runId, "op", op);
        await writeParameters(runFolder(state, runId), await indexOf(state, runId), op.payload);
      }),
    putStep: (runId, location, step, seq) => putStep(state, runId, location, step, seq),
    putBranch: (runId, location, branch, seq) => putBranch(state, runId, location, branch, seq),
    removeStep: (runId, location, internalName) => removeStep(state, runId, location, internalName),
    list: () => listChunkedRuns(folder, state.warn),
    delete: (runId) => queue.run(runId, () => remove(state, runId)),
    flush: (runId) =>
      queue.run(runId, async () => {
        if (!(await statOrNull(path.join(dirOf(state, runId), RUN_FILE)))) throw runNotFound(runId, folder);
        state.indexes.delete(runId);
      }),
    acquireLease: async (runId, leaseOptions) => {
      dirOf(state, runId);
      await mkdir(folder, { recursive: true });
      return acquireLeaseFile(leaseFileOf(folder, runId), runId, leaseOptions);
    },
    leaseState: async (runId) => (validateRunId(runId) === undefined ? leaseFileState(leaseFileOf(folder, runId)) : { state: "none" }),
  };
}

function updateRun(state: ChunkedFsState, runId: string, op: RunOp): Promise<void> {
  return state.queue.run(runId, async () => {
    checkWritable(runId, "op", op);
    await updateRunFile(runFolder(state, runId), op);
  });
}

async function create(state: ChunkedFsState, header: RunHeader): Promise<void> {
  const problem = validateRunId(header.run_id);
  if (problem) throw new RunnableError("INTERNAL", `Cannot create a run log: ${problem}`);
  const run = runFromHeader(header);
  checkWritable(header.run_id, "run", run);
  const dir = path.join(state.folder, header.run_id);
  await mkdir(path.join(dir, TEMP_FOLDER), { recursive: true });
  const created = await createAtomic(path.join(dir, RUN_FILE), toJsonText({ ...run, parameters: {} }), state.observe);
  if (created === undefined) throw runExists(header.run_id, state.folder);
  await removeLeftovers(dir);
  const index = remember(state, header.run_id, { chunks: new Map(), parameters: new Map() });
  await writeParameters(runFolder(state, header.run_id), index, run.parameters);
}

async function remove(state: ChunkedFsState, runId: string): Promise<Freed> {
  const dir = dirOf(state, runId);
  if (!(await statOrNull(path.join(dir, RUN_FILE)))) throw runNotFound(runId, state.folder);
  state.indexes.delete(runId);
  return removeRunFolder(dir, leaseFileOf(state.folder, runId));
}
