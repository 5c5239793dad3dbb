import { randomBytes } from "node:crypto";
import { lstat, readdir, readlink, rm, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { escapePath } from "tinyglobby";
import { RunnableError } from "../../../core/errors.js";
import type { DataCatalog } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { Catalog, ContentWriter, PutOptions } from "../../../ports/catalog.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { readStoredFile, removeArea } from "./stored-files.js";
import { openContentWriter } from "./content-writer.js";
import { isExecutionLog } from "../../../core/names.js";
import { checkRelative, findFiles, isInside, normalizeRelative } from "../catalog-paths.js";
import { copyAtomic, writeCatalogFile } from "./catalog-files.js";
import { processAlive } from "../../../io/process-alive.js";
import { type DataHashSettings, dataHashOfFile, dataHashSettings, fingerprinted, fingerprintOfFile, recordedDataHash } from "../data-hash.js";
import { freshFiles, type StaleFiles } from "../fresh-files.js";

/** Validated config of the file-system catalog. */
export interface FileSystemCatalogConfig {
  catalog_location: string;
  large_file_hash?: DataHashSettings["large_file_hash"] | undefined;
  large_file_threshold_bytes?: number | undefined;
  /** What a step's put does with a matching file older than its attempt (default `warn`). */
  stale_files?: StaleFiles;
}

function checkRunId(runId: string): void {
  const problem = validateRunId(runId);
  if (problem) throw new RunnableError("CATALOG_ERROR", `Cannot use the catalog: ${problem}`);
}

function notFound(pattern: string, folder: string, hint: string): RunnableError {
  return new RunnableError("CATALOG_ERROR", `Did not find any files matching ${pattern} in ${folder}`, { hint });
}

const PUT_HINT =
  "Patterns are globs relative to the working directory (symbolic links are not followed); " + "check the spelling and that an earlier step created the file.";
const GET_HINT = "Files reach a run's catalog through the `put` of an earlier step (or put_in_catalog); " + "check the pattern and the order of the steps.";

/** Glob patterns keeping the catalog folder itself out of `put` when it lies inside the working directory. */
function ignoreCatalog(cwd: string, root: string): string[] {
  const relative = path.relative(cwd, root);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return [];
  return [`${escapePath(relative.split(path.sep).join("/"))}/**`];
}

/** The state of one `file-system` catalog: the working directory, the catalog root, how to name things, what was checked. */
interface FileSystemCatalogState {
  cwd: string;
  root: string;
  location: string;
  ignore: string[];
  /** Catalog folders already created and checked by this instance. */
  verified: Set<string>;
  /** This instance's folder for temp files (one per process, removed by `dispose`). */
  tempDir: string;
  /** Run folders checked not to be symbolic links. */
  areas: Set<string>;
  /** How files are identified (`data_hash`). */
  hash: DataHashSettings;
  staleFiles: StaleFiles;
  warn: (message: string) => void;
}

/**
 * The run's folder in the catalog, refused when it is a symbolic link (a link planted at
 * `<catalog>/<run_id>` would send the run's files anywhere). Checked once per run and instance.
 */
async function runArea(state: FileSystemCatalogState, runId: string): Promise<string> {
  checkRunId(runId);
  const area = path.join(state.root, runId);
  if (state.areas.has(area)) return area;
  const info = await lstat(area).catch(() => null);
  if (info?.isSymbolicLink()) {
    throw new RunnableError(
      "CATALOG_ERROR",
      `Refusing to use ${display(state, runId)}: the run's catalog folder is a symbolic link (to ${await readlink(area)})`,
      {
        hint: `Remove the link (rm ${area}) or run under another run id.`,
      },
    );
  }
  state.areas.add(area);
  return area;
}

const display = (state: FileSystemCatalogState, runId: string): string => path.join(state.location, runId);

function entry(state: FileSystemCatalogState, name: string, hash: string, runId: string, stage: DataCatalog["stage"]): DataCatalog {
  return { name, data_hash: hash, catalog_relative_path: `${runId}/${name}`, catalog_handler_location: state.location, stage };
}

/** Copies `from/file` to `to/file`; returns its `data_hash` (the fingerprint of the copy when the settings ask for it). */
async function transfer(state: FileSystemCatalogState, from: string, to: string, file: string): Promise<string> {
  if (state.hash.large_file_hash === "sha256") return copyAtomic(from, to, file);
  const { size } = await stat(path.join(from, file));
  if (!fingerprinted(state.hash, size)) return copyAtomic(from, to, file);
  await copyAtomic(from, to, file, false);
  return fingerprintOfFile(path.join(to, file), size);
}

async function getFiles(state: FileSystemCatalogState, pattern: string, runId: string): Promise<DataCatalog[]> {
  checkRunId(runId);
  checkRelative(pattern, "pattern", display(state, runId), "catalog");
  const area = await runArea(state, runId);
  const exact = normalizeRelative(pattern);
  const files = (await findFiles(area, pattern)).filter((file) => !isExecutionLog(file) || file === exact);
  if (files.length === 0) throw notFound(pattern, display(state, runId), GET_HINT);
  const entries: DataCatalog[] = [];
  for (const file of files) entries.push(entry(state, file, await transfer(state, area, state.cwd, file), runId, "get"));
  return entries;
}

async function putFiles(state: FileSystemCatalogState, pattern: string, runId: string, options: PutOptions = {}): Promise<DataCatalog[]> {
  checkRunId(runId);
  checkRelative(pattern, "pattern", state.cwd, "working directory");
  const skipped: string[] = [];
  const found = await findFiles(state.cwd, pattern, state.ignore, skipped);
  if (found.length === 0 && options.allowMissing) return [];
  if (found.length === 0 && skipped.length > 0) {
    throw new RunnableError("CATALOG_ERROR", `Did not find any files matching ${pattern} in ${state.cwd}: ${linksNote(skipped)}`, { hint: PUT_HINT });
  }
  if (found.length === 0) throw notFound(pattern, state.cwd, PUT_HINT);
  const files = await freshFiles(state.cwd, found, pattern, state.staleFiles, options, state.warn);
  options.claim?.(files);
  const entries: DataCatalog[] = [];
  if (options.storeCopy === false) {
    // Recorded, not copied (runnable 0.50's store_copy: false): the run's folder is not even made.
    for (const file of files) entries.push(entry(state, file, await dataHashOfFile(path.join(state.cwd, file), state.hash), runId, "put"));
    return entries;
  }
  const area = await runArea(state, runId);
  for (const file of files) entries.push(entry(state, file, await transfer(state, state.cwd, area, file), runId, "put"));
  return entries;
}

async function putContent(state: FileSystemCatalogState, name: string, content: string | Uint8Array, runId: string): Promise<DataCatalog[]> {
  checkRunId(runId);
  checkRelative(name, "name", display(state, runId), "catalog");
  const relative = normalizeRelative(name);
  const hash = await writeCatalogFile(await runArea(state, runId), relative, content, state.verified, state.tempDir);
  return [entry(state, relative, hash, runId, "put")];
}

async function createContent(state: FileSystemCatalogState, name: string, runId: string): Promise<ContentWriter> {
  checkRunId(runId);
  checkRelative(name, "name", display(state, runId), "catalog");
  const relative = normalizeRelative(name);
  let hash = "";
  const writer = await openContentWriter(await runArea(state, runId), relative, state.tempDir, state.verified, (digest) => (hash = digest));
  return {
    get bytes() {
      return writer.bytes;
    },
    write: (chunk) => writer.write(chunk),
    abort: () => writer.abort(),
    commit: async () => {
      await writer.commit();
      return [entry(state, relative, hash, runId, "put")];
    },
  };
}

async function syncBetweenRuns(state: FileSystemCatalogState, previousRunId: string, runId: string): Promise<void> {
  checkRunId(previousRunId);
  checkRunId(runId);
  const previous = path.join(state.root, previousRunId);
  const exists = await stat(previous).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) {
    throw new RunnableError("CATALOG_ERROR", `Catalog of the previous run ${previousRunId} not found at ${display(state, previousRunId)}`, {
      hint: "Re-runs need the original run's catalog; check catalog_location and the run id.",
    });
  }
  if (previousRunId === runId) return;
  const current = await runArea(state, runId);
  for (const file of await findFiles(previous, "**/*")) {
    if (!isExecutionLog(file)) await copyAtomic(previous, current, file);
  }
}

/** Where temp files wait before they are renamed into place (a folder per process inside it). */
const TEMP_FOLDER = ".tmp";

function linksNote(skipped: readonly string[]): string {
  const listed = skipped.slice(0, 3).join(", ") + (skipped.length > 3 ? `, and ${skipped.length - 3} more` : "");
  return `what matches goes through symbolic links that lead outside it (${listed}), which are never followed; copy the files into the working directory instead`;
}

/** Removes this instance's temp folder, those of processes that are gone, and `.tmp` itself once empty. */
async function removeTempFolders(root: string, own: string): Promise<void> {
  await rm(own, { recursive: true, force: true });
  const parent = path.join(root, TEMP_FOLDER);
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const pid = Number(/^p(\d+)-/.exec(name)?.[1] ?? Number.NaN);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) await rm(path.join(parent, name), { recursive: true, force: true });
  }
  await rmdir(parent).catch(() => undefined);
}

/** A catalog storing files under `<catalog_location>/<run_id>/<path relative to cwd>`. */
export function createFileSystemCatalog(config: FileSystemCatalogConfig, context: PluginContext): Catalog {
  const cwd = path.resolve(context.cwd);
  const root = path.resolve(cwd, config.catalog_location);
  if (root === cwd || isInside(root, cwd)) {
    throw new RunnableError("CONFIG_INVALID", `catalog_location "${config.catalog_location}" contains the working directory ${cwd}`, {
      hint: 'Use a dedicated folder such as ".catalog".',
    });
  }
  const tempDir = path.join(root, TEMP_FOLDER, `p${process.pid}-${randomBytes(4).toString("hex")}`);
  const state: FileSystemCatalogState = {
    cwd,
    root,
    location: config.catalog_location,
    ignore: ignoreCatalog(cwd, root),
    verified: new Set(),
    tempDir,
    areas: new Set(),
    hash: dataHashSettings(config),
    staleFiles: config.stale_files ?? "warn",
    warn: context.warn,
  };
  return {
    type: "file-system",
    recordedConfig: {
      catalog_location: config.catalog_location,
      ...recordedDataHash(state.hash),
      ...(config.stale_files && config.stale_files !== "warn" ? { stale_files: config.stale_files } : {}),
    },
    traits: { copies: true, sharing: "folder" },
    get: (pattern, runId) => getFiles(state, pattern, runId),
    put: (pattern, runId, options) => putFiles(state, pattern, runId, options),
    putContent: (name, content, runId) => putContent(state, name, content, runId),
    createContent: (name, runId) => createContent(state, name, runId),
    syncBetweenRuns: (previousRunId, runId) => syncBetweenRuns(state, previousRunId, runId),
    readFile: async (runId, relativePath) => {
      checkRunId(runId);
      return readStoredFile(path.join(root, runId), relativePath, display(state, runId));
    },
    deleteRun: async (runId) => {
      checkRunId(runId);
      return removeArea(path.join(root, runId));
    },
    existingRun: async (runId) => {
      if (validateRunId(runId) !== undefined) return "none";
      const info = await lstat(path.join(root, runId)).catch(() => null);
      return info === null ? "none" : info.isSymbolicLink() ? "link" : "files";
    },
    dispose: () => removeTempFolders(root, tempDir),
  };
}
