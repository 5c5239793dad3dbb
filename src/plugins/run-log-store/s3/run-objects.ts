import type { BranchLog, LogLocation, RunLog, StepLog } from "../../../core/run-log.js";
import { type ChunkKind, chunkFileName, encodeName, parseFileName } from "../chunked-fs/chunk-names.js";
import { type StoredEntity, entityId, withoutLocation } from "../shared/entity-tree.js";
import { type BranchChunk, type StepChunk, branchChunkSchema, parseJson, runHeaderFileSchema, stepChunkSchema, validated } from "../shared/run-log-schema.js";
import type { Listed, StoreObjects } from "./s3-objects.js";

// The objects of one run under `<prefix>/<run_id>/`: RunLog.json (the run's own fields, parameters and
// run_config), StepLog-<name>-<n>.json and BranchLog-<name>-<n>.json (runnable's chunked layout, with
// `_location` stored in each), and .lease.

/** The run record's name. */
export const RUN_OBJECT = "RunLog.json";
/** The lease object's name. */
export const LEASE_OBJECT = ".lease";

/** The numeric suffix of an entity written with the engine's seq: seq first (so names sort in the engine's order), then 32 bits of a hash of its location. */
export function seqSuffix(seq: number, locationKey: string): bigint {
  let hash = 0x811c9dc5;
  for (let i = 0; i < locationKey.length; i++) hash = Math.imul(hash ^ locationKey.charCodeAt(i), 0x01000193) >>> 0;
  return BigInt(Math.max(0, Math.floor(seq))) * 4_294_967_296n + BigInt(hash >>> 0);
}

/** The object name of an entity. */
export function entityObjectName(kind: ChunkKind, name: string, suffix: bigint): string {
  return chunkFileName(kind, encodeName(name), suffix);
}

/** The run record: the header with its parameters and run_config; `_updated_ms` orders `runs list`. */
export type RunRecord = RunLog & { _updated_ms?: number };

/** Parses a run record read from `key`. */
export function parseRunRecord(text: string, key: string): RunRecord {
  return validated<RunRecord>(runHeaderFileSchema, parseJson(text, key), key);
}

/** An entity object as read back. */
export interface LoadedEntity extends StoredEntity {
  key: string;
  modifiedMs: number;
}

/** Parses an entity object `key` (named `file` inside the run) into a stored entity, or undefined when it is not one. */
export function parseEntity(file: string, key: string, text: string, modifiedMs: number): LoadedEntity | undefined {
  const name = parseFileName(file);
  if (name?.kind !== "step" && name?.kind !== "branch") return undefined;
  const schema = name.kind === "step" ? stepChunkSchema : branchChunkSchema;
  const data = validated<StepChunk | BranchChunk>(schema, parseJson(text, key), key);
  const location = (data._location ?? []) as LogLocation;
  return { kind: name.kind, location, data: withoutLocation(data) as StepLog | BranchLog, order: name.timeNs, tie: file, key, modifiedMs };
}

/** The identity of a loaded entity (its kind, location and name). */
export function idOf(entity: StoredEntity): string {
  const name = entity.kind === "step" ? entity.data.internal_name : (entity.location[entity.location.length - 1]?.[1] ?? entity.data.internal_name);
  return entityId(entity.kind, entity.location, name);
}

/** Two objects for one entity (written by instances that did not see each other): first place, latest content. */
export function mergeDuplicates(entities: LoadedEntity[]): LoadedEntity[] {
  const byId = new Map<string, LoadedEntity>();
  for (const entity of entities) {
    const id = idOf(entity);
    const seen = byId.get(id);
    if (!seen) byId.set(id, entity);
    else {
      const first = entity.order < seen.order ? entity : seen;
      const latest = entity.modifiedMs > seen.modifiedMs || (entity.modifiedMs === seen.modifiedMs && entity.key > seen.key) ? entity : seen;
      byId.set(id, { ...first, data: latest.data });
    }
  }
  return [...byId.values()];
}

/** Cached texts of a run's entity objects by key and ETag: a second read of a run fetches only what changed. */
export type TextCache = Map<string, { etag: string; text: string; modifiedMs: number }>;

/** Reads every entity object of a listing (at most `parallel` at once, unchanged ones from `cache`). */
export async function loadEntities(objects: StoreObjects, runDir: string, listed: Listed[], cache: TextCache, parallel: number): Promise<LoadedEntity[]> {
  const wanted = listed.filter((item) => {
    const kind = parseFileName(item.key.slice(runDir.length))?.kind;
    return kind === "step" || kind === "branch";
  });
  const loaded: (LoadedEntity | undefined)[] = new Array(wanted.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const index = next++;
      const item = wanted[index]!;
      let hit = cache.get(item.key);
      if (!hit || hit.etag !== item.etag) {
        const read = await objects.get(item.key, `read ${item.key}`);
        if (!read) continue; // removed since the listing
        hit = { etag: read.etag, text: read.text, modifiedMs: read.modifiedMs };
        cache.set(item.key, hit);
      }
      loaded[index] = parseEntity(item.key.slice(runDir.length), item.key, hit.text, hit.modifiedMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, wanted.length) }, worker));
  const present = new Set(listed.map((item) => item.key));
  for (const key of cache.keys()) if (!present.has(key)) cache.delete(key);
  return loaded.filter((entity): entity is LoadedEntity => entity !== undefined);
}
