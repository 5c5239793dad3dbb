import { RunnableError } from "../../../core/errors.js";
import type { LogLocation, RunLog } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { PluginContext } from "../../../ports/plugin.js";
import type { RunHeader, RunLogStore } from "../../../ports/run-log-store.js";
import { openS3, recordedLocation } from "../../shared/s3/s3-client.js";
import { createNanoClock, encodeName, parseFileName } from "../chunked-fs/chunk-names.js";
import { assembleEntities, entityId, isUnderStep } from "../shared/entity-tree.js";
import { toJsonText } from "../shared/json-text.js";
import { createKeyedQueue } from "../shared/keyed-queue.js";
import { checkWritable } from "../shared/run-log-schema.js";
import { branchOp, runFromHeader, stepOp } from "../shared/run-ops.js";
import { cloneJson } from "../../../core/parameters.js";
import { misplacedWrite, runExists, runNotFound } from "../shared/store-errors.js";
import type { S3RunLogStoreConfig } from "./index.js";
import { listS3Runs } from "./list-runs.js";
import { LEASE_OBJECT, RUN_OBJECT, type RunRecord, type TextCache, entityObjectName, idOf, loadEntities, mergeDuplicates, parseEntity, parseRunRecord, seqSuffix } from "./run-objects.js";
import { acquireS3Lease, s3LeaseState } from "./s3-lease.js";
import { type StoreObjects, storeObjects } from "./s3-objects.js";

const READ_PARALLEL = 32;
const CACHED_RUNS = 8;

type Kind = "step" | "branch";

/** The record an entity must sit in: a step's branch, a branch's step. */
function parentOf(kind: Kind, location: LogLocation): { kind: Kind; location: LogLocation; name: string } | undefined {
  const last = location[location.length - 1];
  if (!last) return undefined;
  return kind === "step" ? { kind: "branch", location, name: last[1] } : { kind: "step", location: location.slice(0, -1), name: last[0] };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A small LRU of per-run state (bounded memory whatever the number of runs touched). */
function lru<V>(limit: number): { get(key: string, make: () => V): V; drop(key: string): void } {
  const items = new Map<string, V>();
  return {
    get(key, make) {
      const found = items.get(key) ?? make();
      items.delete(key);
      items.set(key, found);
      for (const oldest of items.keys()) {
        if (items.size <= limit) break;
        items.delete(oldest);
      }
      return found;
    },
    drop: (key) => void items.delete(key),
  };
}

/** Per-run state of one instance: the run record's last version, entity keys by identity, object texts. */
interface RunState {
  record?: { etag: string; value: RunRecord };
  exists: boolean;
  keys: Map<string, string>;
  texts: TextCache;
}

/** The `s3` run log store (see docs/stores.md): one object per step and branch, conditional writes for the run record and the lease. */
export function createS3RunLogStore(config: S3RunLogStoreConfig, context: PluginContext): RunLogStore {
  const access = openS3(config, context.env, "run_log_store.config");
  const objects: StoreObjects = storeObjects(access, config.retry_seconds, context.warn);
  const where = `the s3 run log store (${access.display})`;
  const queue = createKeyedQueue();
  const runs = lru<RunState>(CACHED_RUNS);
  const clock = createNanoClock();
  const stateOf = (runId: string): RunState => runs.get(runId, () => ({ exists: false, keys: new Map(), texts: new Map() }));

  const dirOf = (runId: string): string => {
    const problem = validateRunId(runId);
    if (problem) throw new RunnableError("RUN_NOT_FOUND", `No run log with id "${runId}" in ${where}: ${problem}`);
    return `${access.base}${runId}/`;
  };

  const ensureRun = async (runId: string): Promise<RunState> => {
    const state = stateOf(runId);
    if (state.exists) return state;
    if (!(await objects.head(`${dirOf(runId)}${RUN_OBJECT}`, `look up run "${runId}"`))) throw runNotFound(runId, where);
    state.exists = true;
    return state;
  };

  /** Changes the run record with If-Match on the version read (re-read and re-applied when another writer got there first). */
  const updateRecord = (runId: string, doing: string, change: (record: RunRecord) => void): Promise<void> =>
    queue.run(`${runId}\u0000record`, async () => {
      const key = `${dirOf(runId)}${RUN_OBJECT}`;
      const state = stateOf(runId);
      for (let attempt = 0; attempt < 200; attempt++) {
        if (!state.record) {
          const read = await objects.get(key, doing);
          if (!read) throw runNotFound(runId, where);
          state.record = { etag: read.etag, value: parseRunRecord(read.text, key) };
        }
        const next = cloneJson(state.record.value);
        change(next);
        next._updated_ms = Math.max(Date.now(), (state.record.value._updated_ms ?? 0) + 1);
        const put = await objects.put(key, toJsonText(next), doing, { ifMatch: state.record.etag });
        if (put === "missing") throw runNotFound(runId, where);
        if (put !== "conflict") {
          state.record = { etag: put.etag, value: next };
          state.exists = true;
          return;
        }
        delete state.record;
        await sleep(Math.random() * Math.min(200, 5 * (attempt + 1)));
      }
      throw new RunnableError("STORE_UNAVAILABLE", `${where}: could not ${doing}: other writers kept changing the run record`);
    });

  /** The object key of an entity this instance knows or finds by listing its name (undefined when absent). */
  const findKey = async (runId: string, state: RunState, kind: Kind, location: LogLocation, name: string): Promise<string | undefined> => {
    const id = entityId(kind, location, name);
    const known = state.keys.get(id);
    if (known) return known;
    const dir = dirOf(runId);
    const encoded = encodeName(name);
    const { objects: found } = await objects.list(`${dir}${kind === "step" ? "StepLog" : "BranchLog"}-${encoded}-`, `look up ${kind} log "${name}" of run "${runId}"`);
    for (const item of found) {
      const parsed = parseFileName(item.key.slice(dir.length));
      if (parsed?.kind !== kind || parsed.encodedName !== encoded || [...state.keys.values()].includes(item.key)) continue;
      const read = await objects.get(item.key, `read ${item.key}`);
      const entity = read && parseEntity(item.key.slice(dir.length), item.key, read.text, read.modifiedMs);
      if (entity) state.keys.set(idOf(entity), item.key);
    }
    return state.keys.get(id);
  };

  const putEntity = (runId: string, kind: Kind, location: LogLocation, name: string, data: object, seq: number | undefined): Promise<void> => {
    const id = entityId(kind, location, name);
    return queue.run(`${runId}\u0000${id}`, async () => {
      const state = await ensureRun(runId);
      const parent = parentOf(kind, location);
      if (parent && !(await findKey(runId, state, parent.kind, parent.location, parent.name))) {
        const missing = kind === "step" ? "there is no branch log at that location" : `there is no step log "${parent.name}" to hold it`;
        throw misplacedWrite(runId, `cannot put ${kind} log "${name}": ${missing}`);
      }
      const dir = dirOf(runId);
      const key =
        state.keys.get(id) ??
        (seq !== undefined ? `${dir}${entityObjectName(kind, name, seqSuffix(seq, JSON.stringify(location)))}` : ((await findKey(runId, state, kind, location, name)) ?? `${dir}${entityObjectName(kind, name, clock())}`));
      // A whole-object replacement of one entity: no read-modify-write, so no update of another writer is lost.
      await objects.put(key, toJsonText({ ...data, _location: location }), `write ${kind} log "${name}" of run "${runId}"`);
      state.keys.set(id, key);
    });
  };

  /** Lists and reads a run's objects (unchanged ones from the cache) and nests them. */
  const readRun = async (runId: string): Promise<{ run: RunLog; state: RunState; keys: string[] }> => {
    const dir = dirOf(runId);
    const state = stateOf(runId);
    const { objects: listed } = await objects.list(dir, `list the objects of run "${runId}"`);
    const header = listed.find((item) => item.key === `${dir}${RUN_OBJECT}`);
    if (!header) throw runNotFound(runId, where);
    if (state.record?.etag !== header.etag) {
      const read = await objects.get(header.key, `read run "${runId}"`);
      if (!read) throw runNotFound(runId, where);
      state.record = { etag: read.etag, value: parseRunRecord(read.text, header.key) };
    }
    const entities = mergeDuplicates(await loadEntities(objects, dir, listed, state.texts, READ_PARALLEL));
    for (const entity of entities) state.keys.set(idOf(entity), entity.key);
    state.exists = true;
    const { _updated_ms: _, ...record } = state.record.value;
    const run = assembleEntities(runFromHeader(record), entities, (entity) =>
      context.warn(`Ignored ${(entity as { key?: string }).key ?? entity.data.internal_name}: the step or branch log it belongs in does not exist`),
    );
    return { run, state, keys: listed.map((item) => item.key) };
  };

  const create = (header: RunHeader): Promise<void> =>
    queue.run(`${header.run_id}\u0000record`, async () => {
      const problem = validateRunId(header.run_id);
      if (problem) throw new RunnableError("INTERNAL", `Cannot create a run log: ${problem}`);
      const run: RunRecord = runFromHeader(header);
      checkWritable(header.run_id, "run", run);
      run._updated_ms = Date.now();
      const key = `${dirOf(header.run_id)}${RUN_OBJECT}`;
      const made = await objects.put(key, toJsonText(run), `create run "${header.run_id}"`, { ifNoneMatch: "*" });
      if (made === "conflict" || made === "missing") throw runExists(header.run_id, where);
      runs.drop(header.run_id);
      const state = stateOf(header.run_id);
      state.record = { etag: made.etag, value: run };
      state.exists = true;
    });

  return {
    type: "s3",
    recordedConfig: recordedLocation(config),
    create,
    exists: async (runId) => validateRunId(runId) === undefined && (await objects.head(`${dirOf(runId)}${RUN_OBJECT}`, `look up run "${runId}"`)),
    get: async (runId) => (await readRun(runId)).run,
    setStatus: async (runId, status) => {
      checkWritable(runId, "op", { op: "status", location: [], payload: status });
      await updateRecord(runId, `set the status of run "${runId}"`, (record) => void (record.status = status));
    },
    setParameters: async (runId, parameters) => {
      const payload = cloneJson(parameters);
      checkWritable(runId, "op", { op: "parameters", location: [], payload });
      await updateRecord(runId, `set the parameters of run "${runId}"`, (record) => void (record.parameters = payload));
    },
    setRunConfig: async (runId, runConfig) => {
      const payload = cloneJson(runConfig);
      checkWritable(runId, "op", { op: "run_config", location: [], payload });
      await updateRecord(runId, `set the run_config of run "${runId}"`, (record) => void (record.run_config = payload));
    },
    putStep: async (runId, location, step, seq) => {
      const op = stepOp(location, step);
      checkWritable(runId, "op", op);
      await putEntity(runId, "step", op.location, op.payload.internal_name, op.payload, seq);
    },
    putBranch: async (runId, location, branch, seq) => {
      const op = branchOp(location, branch);
      checkWritable(runId, "op", op);
      const last = op.location[op.location.length - 1];
      if (!last) throw misplacedWrite(runId, `cannot put branch log "${op.payload.internal_name}": its location is empty`);
      await putEntity(runId, "branch", op.location, last[1], op.payload, seq);
    },
    removeStep: async (runId, location, internalName) => {
      await ensureRun(runId);
      const dir = dirOf(runId);
      const { objects: listed } = await objects.list(dir, `list the objects of run "${runId}"`);
      const state = stateOf(runId);
      const entities = await loadEntities(objects, dir, listed, state.texts, READ_PARALLEL);
      const gone = entities.filter((entity) => isUnderStep(location, internalName, entity));
      await objects.remove(gone.map((entity) => entity.key), `remove step log "${internalName}" of run "${runId}"`);
      for (const entity of gone) {
        state.keys.delete(idOf(entity));
        state.texts.delete(entity.key);
      }
    },
    list: () => listS3Runs(objects, context.warn),
    delete: async (runId) => {
      const dir = dirOf(runId);
      const { objects: listed } = await objects.list(dir, `list the objects of run "${runId}"`);
      if (!listed.some((item) => item.key === `${dir}${RUN_OBJECT}`)) throw runNotFound(runId, where);
      // The run record goes last, so a delete cut short still shows the run (and can be repeated).
      const keys = listed.map((item) => item.key).filter((key) => key !== `${dir}${RUN_OBJECT}` && key !== `${dir}${LEASE_OBJECT}`);
      await objects.remove(keys, `delete run "${runId}"`);
      await objects.remove([`${dir}${RUN_OBJECT}`, `${dir}${LEASE_OBJECT}`], `delete run "${runId}"`);
      runs.drop(runId);
      return { freedBytes: listed.reduce((total, item) => total + item.size, 0) };
    },
    flush: async (runId) => {
      stateOf(runId).exists = false;
      await ensureRun(runId);
    },
    acquireLease: (runId, options) => acquireS3Lease(objects, `${dirOf(runId)}${LEASE_OBJECT}`, runId, options),
    leaseState: async (runId) => (validateRunId(runId) === undefined ? s3LeaseState(objects, `${dirOf(runId)}${LEASE_OBJECT}`, runId) : { state: "none" }),
  };
}
