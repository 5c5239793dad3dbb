import { appendFile, mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import type { Parameters, RunLog } from "../../../core/run-log.js";
import { waitForLock } from "../shared/file-lock.js";
import { type WriteObserver, isErrno, readWithIdentity, removeIfExists, statOrNull, writeAtomicVia } from "../shared/fs-utils.js";
import { mapLimit } from "../../../core/map-limit.js";
import { toJsonText } from "../shared/json-text.js";
import { parseJson, runHeaderFileSchema, validated } from "../shared/run-log-schema.js";
import { type RunOp, applyOp } from "../shared/run-ops.js";
import { runNotFound } from "../shared/store-errors.js";
import { RUN_FILE, encodeName, parameterFileName, parseFileName } from "./chunk-names.js";
import type { RunIndex } from "./run-index.js";

const RUN_FILE_LOCK = ".RunLog.lock";
const KEY_REGISTRY = ".parameter-keys.jsonl";

/** Folder inside a run folder holding temp files while they are written (see {@link writeAtomicVia}). */
export const TEMP_FOLDER = ".tmp";

/** One run's folder, as the file helpers need it. */
export interface RunFolder {
  runId: string;
  /** The store's folder (for messages). */
  folder: string;
  dir: string;
  observe?: WriteObserver;
  /** A temp file name unique to this store instance. */
  tempName: () => string;
}

/** Writes a file of the run atomically (temp file in `.tmp/`, made on demand); a vanished run folder is RUN_NOT_FOUND. */
export async function writeInRun(run: RunFolder, file: string, text: string): Promise<void> {
  const temp = path.join(run.dir, TEMP_FOLDER, run.tempName());
  for (let attempt = 0; ; attempt++) {
    try {
      return writeAtomicVia(temp, path.join(run.dir, file), text, run.observe);
    } catch (error) {
      if (!isErrno(error, "ENOENT")) throw error;
      if (attempt > 0 || !(await makeTempFolder(run.dir))) throw runNotFound(run.runId, run.folder);
    }
  }
}

/** Creates a run's temp folder; false when the run folder itself is gone. */
async function makeTempFolder(dir: string): Promise<boolean> {
  try {
    await mkdir(path.join(dir, TEMP_FOLDER));
    return true;
  } catch (error) {
    if (isErrno(error, "EEXIST")) return true;
    if (isErrno(error, "ENOENT")) return false;
    throw error;
  }
}

/** Parameter keys listed in the registry (a torn last line is skipped). */
async function readKeyRegistry(dir: string): Promise<Set<string>> {
  const text = (await readWithIdentity(path.join(dir, KEY_REGISTRY)))?.data.toString("utf8") ?? "";
  const keys = new Set<string>();
  for (const line of text.split("\n")) {
    try {
      const key: unknown = JSON.parse(line);
      if (typeof key === "string") keys.add(key);
    } catch {
      // empty or torn line
    }
  }
  return keys;
}

/**
 * Replaces the parameter files. Keys ever written are also listed in `.parameter-keys.jsonl`
 * (appended once per new key), so keys another process added are removed too without listing the folder.
 */
export async function writeParameters(run: RunFolder, index: RunIndex, parameters: Parameters): Promise<void> {
  const wanted = new Map(Object.keys(parameters).map((key) => [encodeName(key), key]));
  const registered = await readKeyRegistry(run.dir);
  const fresh = [...wanted.values()].filter((key) => !registered.has(key));
  if (fresh.length > 0) {
    await appendFile(path.join(run.dir, KEY_REGISTRY), fresh.map((key) => `${JSON.stringify(key)}\n`).join(""));
  }
  await mapLimit([...wanted], 8, async ([encoded, key]) => {
    const file = parameterFileName(encoded);
    await writeInRun(run, file, toJsonText({ [key]: parameters[key] }));
    index.parameters.set(encoded, file);
  });
  const stale = new Set([...index.parameters.keys(), ...[...registered].map(encodeName)]);
  for (const encoded of stale) {
    if (wanted.has(encoded)) continue;
    await removeIfExists(path.join(run.dir, parameterFileName(encoded)));
    index.parameters.delete(encoded);
  }
}

/** Applies a run-level op to `RunLog.json` (read-modify-write under a lock file: other processes may update it too). */
export async function updateRunFile(run: RunFolder, op: RunOp): Promise<void> {
  const file = path.join(run.dir, RUN_FILE);
  if (!(await statOrNull(file))) throw runNotFound(run.runId, run.folder);
  const lock = await waitForLock(path.join(run.dir, RUN_FILE_LOCK));
  try {
    const read = await readWithIdentity(file);
    if (!read) throw runNotFound(run.runId, run.folder);
    const content = validated<RunLog>(runHeaderFileSchema, parseJson(read.data.toString("utf8"), file), file);
    applyOp(content, op);
    await writeInRun(run, RUN_FILE, toJsonText(content));
  } finally {
    await lock.release();
  }
}

/** Removes files of an earlier run with the same id whose RunLog.json was deleted (they must not leak in). */
export async function removeLeftovers(dir: string): Promise<void> {
  const names = await readdir(dir);
  const stale = names.filter((name) => {
    const kind = parseFileName(name)?.kind;
    return name === KEY_REGISTRY || (kind !== undefined && kind !== "run");
  });
  await mapLimit(stale, 8, (name) => removeIfExists(path.join(dir, name)));
}
