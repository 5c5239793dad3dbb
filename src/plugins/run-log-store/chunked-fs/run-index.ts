import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { isErrno } from "../shared/fs-utils.js";
import { locationSchema } from "../shared/run-log-schema.js";
import { type ChunkKind, type ParsedFileName, RUN_FILE, parseFileName } from "./chunk-names.js";

/** One step or branch file of a run. */
export interface ChunkRef {
  file: string;
  timeNs: bigint;
  /** JSON of the location stored in the file, once known; null when the file stores none. */
  location?: string | null;
}

/** Which files a run folder holds, so updates find their file without listing the folder. */
export interface RunIndex {
  /** Step and branch files by `<kind>:<encoded name>`, oldest first. */
  chunks: Map<string, ChunkRef[]>;
  /** Parameter files by encoded key. */
  parameters: Map<string, string>;
}

const chunkKey = (kind: ChunkKind, encodedName: string): string => `${kind}:${encodedName}`;

/** The index of a run folder's file names, or undefined when it holds no run log. */
export function indexFromNames(names: readonly string[]): RunIndex | undefined {
  if (!names.includes(RUN_FILE)) return undefined;
  const index: RunIndex = { chunks: new Map(), parameters: new Map() };
  for (const file of names) {
    const parsed: ParsedFileName | undefined = parseFileName(file);
    if (parsed?.kind === "parameter") index.parameters.set(parsed.encodedName, file);
    else if (parsed?.kind === "step" || parsed?.kind === "branch") {
      addChunk(index, parsed.kind, parsed.encodedName, { file, timeNs: parsed.timeNs });
    }
  }
  for (const refs of index.chunks.values()) refs.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
  return index;
}

/** Lists a run folder into an index (undefined when there is no run log there). */
export async function loadIndex(dir: string): Promise<RunIndex | undefined> {
  try {
    return indexFromNames(await readdir(dir));
  } catch (error) {
    if (isErrno(error, "ENOENT", "ENOTDIR")) return undefined;
    throw error;
  }
}

/** Records a step or branch file in the index. */
export function addChunk(index: RunIndex, kind: ChunkKind, encodedName: string, ref: ChunkRef): void {
  const key = chunkKey(kind, encodedName);
  const refs = index.chunks.get(key);
  if (refs) refs.push(ref);
  else index.chunks.set(key, [ref]);
}

/** The step or branch files of one encoded name, oldest first. */
export function chunksOf(index: RunIndex, kind: ChunkKind, encodedName: string): readonly ChunkRef[] {
  return index.chunks.get(chunkKey(kind, encodedName)) ?? [];
}

/** Forgets a file that was removed. */
export function dropChunk(index: RunIndex, kind: ChunkKind, encodedName: string, ref: ChunkRef): void {
  const key = chunkKey(kind, encodedName);
  index.chunks.set(
    key,
    chunksOf(index, kind, encodedName).filter((other) => other !== ref),
  );
}

async function storedLocation(file: string): Promise<string | null> {
  try {
    const content = JSON.parse(await readFile(file, "utf8")) as { _location?: unknown };
    const parsed = locationSchema.safeParse(content._location);
    return parsed.success ? JSON.stringify(parsed.data) : null;
  } catch {
    return null;
  }
}

/**
 * The current file of the step or branch `encodedName` stored at `locationKey` (JSON of its location). A file
 * this instance did not write is read once to learn its location (map items with dots can make two
 * entities share an internal name).
 */
export async function findChunk(index: RunIndex, dir: string, kind: ChunkKind, encodedName: string, locationKey: string): Promise<ChunkRef | undefined> {
  const refs = index.chunks.get(chunkKey(kind, encodedName)) ?? [];
  for (const ref of refs) {
    if (ref.location === undefined) ref.location = await storedLocation(path.join(dir, ref.file));
  }
  return newest(refs, locationKey) ?? newest(refs, null);
}

/** The newest file (highest suffix) at `location`: an update writes a new version beside the old one. */
function newest(refs: readonly ChunkRef[], location: string | null): ChunkRef | undefined {
  let found: ChunkRef | undefined;
  for (const ref of refs) {
    if (ref.location === location && (!found || ref.timeNs > found.timeNs)) found = ref;
  }
  return found;
}

/** A file of the index that a newer version at the same (known) location replaced, with that version. */
export interface Superseded {
  kind: ChunkKind;
  encodedName: string;
  ref: ChunkRef;
  by: ChunkRef;
}

/** Files of the index that a newer version at the same (known) location replaced. */
export function supersededChunks(index: RunIndex): Superseded[] {
  const found: Superseded[] = [];
  for (const [key, refs] of index.chunks) {
    if (refs.length < 2) continue;
    const colon = key.indexOf(":");
    const kind = key.slice(0, colon) as ChunkKind;
    const encodedName = key.slice(colon + 1);
    const latest = new Map<string, ChunkRef>();
    for (const ref of refs) {
      if (typeof ref.location !== "string") continue;
      const other = latest.get(ref.location);
      if (!other || ref.timeNs > other.timeNs) latest.set(ref.location, ref);
    }
    for (const ref of refs) {
      const by = typeof ref.location === "string" ? latest.get(ref.location) : undefined;
      if (by && by !== ref) found.push({ kind, encodedName, ref, by });
    }
  }
  return found;
}
