import { setTimeout as sleep } from "node:timers/promises";
import { RunnableError } from "../../../core/errors.js";
import type { LogLocation, RunLog } from "../../../core/run-log.js";
import type { PluginContext } from "../../../ports/plugin.js";
import type { openS3 } from "../../shared/s3/s3-client.js";
import { encodeName, parseFileName } from "../chunked-fs/chunk-names.js";
import { assembleEntities, entityId, isUnderStep } from "../shared/entity-tree.js";
import { toJsonText } from "../shared/json-text.js";
import type { KeyedQueue } from "../shared/keyed-queue.js";
import { runFromHeader } from "../shared/run-ops.js";
import { cloneJson } from "../../../core/parameters.js";
import { misplacedWrite, runExists, runNotFound, unlessNotFound } from "../shared/store-errors.js";
import {
  LEASE_OBJECT,
  RUN_OBJECT,
  type RunRecord,
  type TextCache,
  entityObjectName,
  idOf,
  loadEntities,
  mergeDuplicates,
  parseEntity,
  parseRunRecord,
  seqSuffix,
} from "./run-objects.js";
import type { StoreObjects } from "./s3-objects.js";

// The `s3` run log store's state and operations: the run record (changed with If-Match), one object
// per step and branch log (whole-object replacements), and reads that list and nest them.

const READ_PARALLEL = 32;

/** What an entity object holds. */
export type Kind = "step" | "branch";

/** The record an entity must sit in: a step's branch, a branch's step. */
function parentOf(kind: Kind, location: LogLocation): { kind: Kind; location: LogLocation; name: string } | undefined {
  const last = location[location.length - 1];
  if (!last) return undefined;
  return kind === "step" ? { kind: "branch", location, name: last[1] } : { kind: "step", location: location.slice(0, -1), name: last[0] };
}

/** A small LRU of per-run state (bounded memory whatever the number of runs touched). */
export function lru<V>(limit: number): { get(key: string, make: () => V): V; drop(key: string): void } {
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
export interface RunState {
  record?: { etag: string; value: RunRecord };
  exists: boolean;
  keys: Map<string, string>;
  texts: TextCache;
}

/** The state of one `s3` store instance. */
export interface S3StoreState {
  readonly access: ReturnType<typeof openS3>;
  readonly objects: StoreObjects;
  /** How the store is named in messages. */
  readonly where: string;
  readonly context: PluginContext;
  /** One change at a time per run record and per step or branch. */
  readonly queue: KeyedQueue;
  readonly runs: ReturnType<typeof lru<RunState>>;
  /** Object name suffixes when the engine gives no order. */
  readonly clock: () => bigint;
}

/** What this instance knows of `runId`. */
export function stateOf(store: S3StoreState, runId: string): RunState {
  return store.runs.get(runId, () => ({ exists: false, keys: new Map(), texts: new Map() }));
}

/** The key prefix of `runId` (a well-formed id: the façade checked it). */
export function dirOf(store: S3StoreState, runId: string): string {
  return `${store.access.base}${runId}/`;
}

async function ensureRun(store: S3StoreState, runId: string): Promise<RunState> {
  const state = stateOf(store, runId);
  if (state.exists) return state;
  if (!(await store.objects.head(`${dirOf(store, runId)}${RUN_OBJECT}`, `look up run "${runId}"`))) throw runNotFound(runId, store.where);
  state.exists = true;
  return state;
}

/** Checks again that the run exists (and so on the next write); false when it does not. */
export async function recheckRun(store: S3StoreState, runId: string): Promise<boolean> {
  stateOf(store, runId).exists = false;
  return (await unlessNotFound(ensureRun(store, runId))) !== undefined;
}

/** Changes the run record with If-Match on the version read (re-read and re-applied when another writer got there first). */
export function updateRecord(store: S3StoreState, runId: string, doing: string, change: (record: RunRecord) => void): Promise<void> {
  return store.queue.run(`${runId}\u0000record`, async () => {
    const key = `${dirOf(store, runId)}${RUN_OBJECT}`;
    const state = stateOf(store, runId);
    for (let attempt = 0; attempt < 200; attempt++) {
      if (!state.record) {
        const read = await store.objects.get(key, doing);
        if (!read) throw runNotFound(runId, store.where);
        state.record = { etag: read.etag, value: parseRunRecord(read.text, key) };
      }
      const next = cloneJson(state.record.value);
      change(next);
      next._updated_ms = Math.max(Date.now(), (state.record.value._updated_ms ?? 0) + 1);
      const put = await store.objects.put(key, toJsonText(next), doing, { ifMatch: state.record.etag });
      if (put === "missing") throw runNotFound(runId, store.where);
      if (put !== "conflict") {
        state.record = { etag: put.etag, value: next };
        state.exists = true;
        return;
      }
      delete state.record;
      await sleep(Math.random() * Math.min(200, 5 * (attempt + 1)));
    }
    throw new RunnableError("STORE_UNAVAILABLE", `${store.where}: could not ${doing}: other writers kept changing the run record`);
  });
}

/** The object key of an entity this instance knows or finds by listing its name (undefined when absent). */
async function findKey(store: S3StoreState, runId: string, state: RunState, kind: Kind, location: LogLocation, name: string): Promise<string | undefined> {
  const id = entityId(kind, location, name);
  const known = state.keys.get(id);
  if (known) return known;
  const dir = dirOf(store, runId);
  const encoded = encodeName(name);
  const prefix = `${dir}${kind === "step" ? "StepLog" : "BranchLog"}-${encoded}-`;
  const { objects: found } = await store.objects.list(prefix, `look up ${kind} log "${name}" of run "${runId}"`);
  for (const item of found) {
    const parsed = parseFileName(item.key.slice(dir.length));
    if (parsed?.kind !== kind || parsed.encodedName !== encoded || [...state.keys.values()].includes(item.key)) continue;
    const read = await store.objects.get(item.key, `read ${item.key}`);
    const entity = read && parseEntity(item.key.slice(dir.length), item.key, read.text, read.modifiedMs);
    if (entity) state.keys.set(idOf(entity), item.key);
  }
  return state.keys.get(id);
}

/** Writes a step or branch log as one whole object (its key found or made once). */
export function putEntity(
  store: S3StoreState,
  runId: string,
  kind: Kind,
  location: LogLocation,
  name: string,
  data: object,
  seq: number | undefined,
): Promise<void> {
  const id = entityId(kind, location, name);
  return store.queue.run(`${runId}\u0000${id}`, async () => {
    const state = await ensureRun(store, runId);
    const parent = parentOf(kind, location);
    if (parent && !(await findKey(store, runId, state, parent.kind, parent.location, parent.name))) {
      const missing = kind === "step" ? "there is no branch log at that location" : `there is no step log "${parent.name}" to hold it`;
      throw misplacedWrite(runId, `cannot put ${kind} log "${name}": ${missing}`);
    }
    const dir = dirOf(store, runId);
    const key =
      state.keys.get(id) ??
      (seq !== undefined
        ? `${dir}${entityObjectName(kind, name, seqSuffix(seq, JSON.stringify(location)))}`
        : ((await findKey(store, runId, state, kind, location, name)) ?? `${dir}${entityObjectName(kind, name, store.clock())}`));
    // A whole-object replacement of one entity: no read-modify-write, so no update of another writer is lost.
    await store.objects.put(key, toJsonText({ ...data, _location: location }), `write ${kind} log "${name}" of run "${runId}"`);
    state.keys.set(id, key);
  });
}

/** Lists and reads a run's objects (unchanged ones from the cache) and nests them; undefined when there is no such run. */
export async function readRun(store: S3StoreState, runId: string): Promise<RunLog | undefined> {
  const dir = dirOf(store, runId);
  const state = stateOf(store, runId);
  const { objects: listed } = await store.objects.list(dir, `list the objects of run "${runId}"`);
  const header = listed.find((item) => item.key === `${dir}${RUN_OBJECT}`);
  if (!header) return undefined;
  if (state.record?.etag !== header.etag) {
    const read = await store.objects.get(header.key, `read run "${runId}"`);
    if (!read) return undefined;
    state.record = { etag: read.etag, value: parseRunRecord(read.text, header.key) };
  }
  const entities = mergeDuplicates(await loadEntities(store.objects, dir, listed, state.texts, READ_PARALLEL));
  for (const entity of entities) state.keys.set(idOf(entity), entity.key);
  state.exists = true;
  const { _updated_ms: _, ...record } = state.record.value;
  return assembleEntities(runFromHeader(record), entities, (entity) =>
    store.context.warn(`Ignored ${(entity as { key?: string }).key ?? entity.data.internal_name}: the step or branch log it belongs in does not exist`),
  );
}

/** Creates the run record (If-None-Match: a run id is never reused). */
export function createRun(store: S3StoreState, created: RunLog): Promise<void> {
  const runId = created.run_id;
  return store.queue.run(`${runId}\u0000record`, async () => {
    const run: RunRecord = created;
    run._updated_ms = Date.now();
    const key = `${dirOf(store, runId)}${RUN_OBJECT}`;
    const made = await store.objects.put(key, toJsonText(run), `create run "${runId}"`, { ifNoneMatch: "*" });
    if (made === "conflict" || made === "missing") throw runExists(runId, store.where);
    store.runs.drop(runId);
    const state = stateOf(store, runId);
    state.record = { etag: made.etag, value: run };
    state.exists = true;
  });
}

/** Removes a step log and everything under it. */
export async function removeStep(store: S3StoreState, runId: string, location: LogLocation, internalName: string): Promise<void> {
  await ensureRun(store, runId);
  const dir = dirOf(store, runId);
  const { objects: listed } = await store.objects.list(dir, `list the objects of run "${runId}"`);
  const state = stateOf(store, runId);
  const entities = await loadEntities(store.objects, dir, listed, state.texts, READ_PARALLEL);
  const gone = entities.filter((entity) => isUnderStep(location, internalName, entity));
  await store.objects.remove(
    gone.map((entity) => entity.key),
    `remove step log "${internalName}" of run "${runId}"`,
  );
  for (const entity of gone) {
    state.keys.delete(idOf(entity));
    state.texts.delete(entity.key);
  }
}

/** Deletes every object of a run, the run record last (a delete cut short still shows the run). */
export async function deleteRun(store: S3StoreState, runId: string): Promise<{ freedBytes: number } | undefined> {
  const dir = dirOf(store, runId);
  const { objects: listed } = await store.objects.list(dir, `list the objects of run "${runId}"`);
  if (!listed.some((item) => item.key === `${dir}${RUN_OBJECT}`)) return undefined;
  const keys = listed.map((item) => item.key).filter((key) => key !== `${dir}${RUN_OBJECT}` && key !== `${dir}${LEASE_OBJECT}`);
  await store.objects.remove(keys, `delete run "${runId}"`);
  await store.objects.remove([`${dir}${RUN_OBJECT}`, `${dir}${LEASE_OBJECT}`], `delete run "${runId}"`);
  store.runs.drop(runId);
  return { freedBytes: listed.reduce((total, item) => total + item.size, 0) };
}
