import { readdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { BranchLog, LogLocation, Parameters, RunLog, StepLog } from "../../../core/run-log.js";
import { isErrno, readWithIdentitySync } from "../shared/fs-utils.js";
import { mapLimit } from "../../../core/map-limit.js";
import { type BranchChunk, type StepChunk, branchChunkSchema, parseJson, runHeaderFileSchema, stepChunkSchema, validated } from "../shared/run-log-schema.js";
import { type RunOp, applyOp } from "../shared/run-ops.js";
import { type ChunkKind, RUN_FILE, parseFileName } from "./chunk-names.js";
import { type RunIndex, indexFromNames } from "./run-index.js";

interface Chunk {
  kind: ChunkKind;
  file: string;
  timeNs: bigint;
  mtimeNs: bigint;
  data: StepChunk | BranchChunk;
}

interface Placed {
  /** Step internal name -> (location of its branch, key). */
  steps: Map<string, { parent: LogLocation; key: string }>;
  /** Branch internal name -> its location. */
  branches: Map<string, LogLocation>;
}

const READ_CONCURRENCY = 32;
const parameterFileSchema = z.record(z.string(), z.unknown());

async function readJsonFile(file: string): Promise<{ value: unknown; mtimeNs: bigint } | undefined> {
  const read = readWithIdentitySync(file);
  return read ? { value: parseJson(read.data.toString("utf8"), file), mtimeNs: read.mtimeNs } : undefined;
}

async function readChunk(dir: string, file: string, kind: ChunkKind, timeNs: bigint): Promise<Chunk | undefined> {
  const read = await readJsonFile(path.join(dir, file));
  if (!read) return undefined;
  const schema = kind === "step" ? stepChunkSchema : branchChunkSchema;
  const data = validated<StepChunk | BranchChunk>(schema, read.value, path.join(dir, file));
  return { kind, file, timeNs, mtimeNs: read.mtimeNs, data };
}

async function readParameters(dir: string, files: string[]): Promise<Parameters> {
  const parts = await mapLimit(files, READ_CONCURRENCY, async (file) => {
    const read = await readJsonFile(path.join(dir, file));
    return read ? validated<Parameters>(parameterFileSchema, read.value, path.join(dir, file)) : {};
  });
  const entries = parts.flatMap((part) => Object.entries(part));
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Nesting depth of a chunk with a stored location (a branch sits one level below its step, a step one
 * below its branch); runnable's own chunks (no location) sort by time alone.
 */
const depthOf = (chunk: Chunk): number => {
  const location = chunk.data._location;
  if (!location) return 0;
  return chunk.kind === "step" ? 2 * location.length : 2 * location.length - 1;
};

/** Parents before children, then siblings by their suffix (the engine's order, or runnable's time). */
const byTime = (a: Chunk, b: Chunk): number =>
  depthOf(a) - depthOf(b) || (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

/** Two files for one entity (two processes created it): keep the first position and the latest content. */
function mergeDuplicates(chunks: Chunk[]): Chunk[] {
  const seen = new Map<string, Chunk>();
  const result: Chunk[] = [];
  for (const chunk of [...chunks].sort(byTime)) {
    const location = chunk.data._location;
    const id = location ? `${chunk.kind}|${JSON.stringify(location)}|${chunk.data.internal_name}` : undefined;
    const first = id === undefined ? undefined : seen.get(id);
    if (!first) {
      if (id !== undefined) seen.set(id, chunk);
      result.push(chunk);
    } else if (chunk.mtimeNs >= first.mtimeNs) {
      first.data = chunk.data;
      first.mtimeNs = chunk.mtimeNs;
    }
  }
  return result;
}

/** Chunks written by runnable itself store no location: nest them by dotted internal name, as runnable does. */
function derivedLocation(chunk: Chunk, placed: Placed): LogLocation | undefined {
  const name = chunk.data.internal_name;
  const dot = name.lastIndexOf(".");
  if (chunk.kind === "step") return dot < 0 ? [] : placed.branches.get(name.slice(0, dot));
  const owner = dot < 0 ? undefined : placed.steps.get(name.slice(0, dot));
  return owner ? [...owner.parent, [owner.key, name]] : undefined;
}

function placeChunk(run: RunLog, chunk: Chunk, placed: Placed): boolean {
  const location = chunk.data._location ?? derivedLocation(chunk, placed);
  if (!location) return false;
  const { _location: _, ...content } = chunk.data;
  const op: RunOp =
    chunk.kind === "step"
      ? { op: "step", location, payload: { ...(content as StepLog), branches: {} } }
      : { op: "branch", location, payload: { ...(content as BranchLog), steps: {} } };
  if (!applyOp(run, op)) return false;
  if (chunk.kind === "step") placed.steps.set(content.internal_name, { parent: location, key: content.internal_name });
  else placed.branches.set(content.internal_name, location);
  return true;
}

/** Nests step and branch logs in order of creation; a log whose parent is missing is left out with a warning. */
function placeChunks(run: RunLog, chunks: Chunk[], dir: string, warn: (message: string) => void): void {
  const placed: Placed = { steps: new Map(), branches: new Map() };
  let pending = mergeDuplicates(chunks);
  while (pending.length > 0) {
    const left = pending.filter((chunk) => !placeChunk(run, chunk, placed));
    if (left.length === pending.length) break;
    pending = left;
  }
  for (const chunk of pending) {
    warn(`Ignored ${path.join(dir, chunk.file)}: the step or branch log it belongs in does not exist`);
  }
}

/**
 * Reads a whole run folder into a run log, plus the index of its files; undefined when it holds none.
 * A listed file that is gone when read (a writer's flush removed a version a newer one replaced) means
 * the listing is old: the folder is read again.
 */
export async function readRunFolder(dir: string, warn: (message: string) => void): Promise<{ run: RunLog; index: RunIndex } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const read = await readOnce(dir, warn, attempt >= 3);
    if (read !== "again") return read;
  }
}

async function readOnce(dir: string, warn: (message: string) => void, last: boolean): Promise<{ run: RunLog; index: RunIndex } | undefined | "again"> {
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (!isErrno(error, "ENOENT", "ENOTDIR")) throw error;
  }
  const index = indexFromNames(names);
  const header = index && (await readJsonFile(path.join(dir, RUN_FILE)));
  if (!index || !header) return undefined;
  const run = validated<RunLog>(runHeaderFileSchema, header.value, path.join(dir, RUN_FILE));
  const parsed = names.map((file) => ({ file, name: parseFileName(file) }));
  const chunks = await mapLimit(parsed, READ_CONCURRENCY, async ({ file, name }) =>
    name?.kind === "step" || name?.kind === "branch" ? readChunk(dir, file, name.kind, name.timeNs) : undefined,
  );
  const found = chunks.filter((chunk): chunk is Chunk => chunk !== undefined);
  const listed = parsed.filter(({ name }) => name?.kind === "step" || name?.kind === "branch").length;
  if (found.length < listed && !last) return "again";
  run.steps = {};
  run.parameters = await readParameters(
    dir,
    parsed.filter(({ name }) => name?.kind === "parameter").map(({ file }) => file),
  );
  const byFile = new Map(found.map((chunk) => [chunk.file, chunk]));
  for (const [key, refs] of index.chunks) {
    const kept = refs.filter((ref) => byFile.has(ref.file));
    for (const ref of kept) {
      const location = byFile.get(ref.file)?.data._location;
      ref.location = location ? JSON.stringify(location) : null;
    }
    index.chunks.set(key, kept);
  }
  placeChunks(run, found, dir, warn);
  return { run, index };
}
