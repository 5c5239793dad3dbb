import { CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import path from "node:path";
import picomatch from "picomatch";
import { isExecutionLog } from "../../../core/names.js";
import { RunnableError } from "../../../core/errors.js";
import type { DataCatalog } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { Catalog, ContentWriter, PutOptions, StoredFile } from "../../../ports/catalog.js";
import type { Freed } from "../../../ports/run-log-store.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { type S3Access, openS3, recordedLocation, S3_CREDENTIAL_VARIABLES, s3Error, s3Status } from "../../shared/s3/s3-client.js";
import { type S3Location, s3Place } from "../../shared/s3/s3-location.js";
import { checkRelative, findFiles, normalizeRelative, prepareTarget } from "../catalog-paths.js";
import { type DataHashSettings, dataHashAfterCopy, dataHashOfFile, dataHashSettings, recordedDataHash } from "../data-hash.js";
import { freshFiles, type StaleFiles } from "../fresh-files.js";
import { contentWriter, downloadFile, listKeys, uploadFile } from "./s3-transfer.js";

const PUT_HINT = "Patterns are globs relative to the working directory; check the spelling and that an earlier step created the file.";
const GET_HINT = "Files reach a run's catalog through the `put` of an earlier step (or put_in_catalog); check the pattern and the order of the steps.";

/** What every operation of one `s3` catalog needs: the bucket's client and the working directory. */
interface S3CatalogState {
  access: S3Access;
  /** The working directory, resolved: `put` reads below it, `get` writes below it. */
  cwd: string;
  /** How files are identified (`data_hash`). */
  hash: DataHashSettings;
  staleFiles: StaleFiles;
  warn: (message: string) => void;
}

/**
 * The `s3` catalog: runnable's layout `<prefix>/<run_id>/<path relative to cwd>` in a bucket, streamed
 * both ways (`type`: the name it was configured by, e.g. runnable 0.50's `minio`).
 */
export function createS3Catalog(
  config: S3Location & Parameters<typeof dataHashSettings>[0] & { stale_files?: StaleFiles | undefined },
  context: PluginContext,
  type = "s3",
): Catalog {
  const state: S3CatalogState = {
    access: openS3(config, context.env, "catalog.config", { warn: context.warn }),
    cwd: path.resolve(context.cwd),
    hash: dataHashSettings(config),
    staleFiles: config.stale_files ?? "warn",
    warn: context.warn,
  };
  return {
    type,
    recordedConfig: {
      ...recordedLocation(config),
      ...recordedDataHash(state.hash),
      ...(config.stale_files && config.stale_files !== "warn" ? { stale_files: config.stale_files } : {}),
    },
    traits: {
      copies: true,
      sharing: "server",
      server: { address: config.endpoint_url ?? "", addressSetting: "endpoint_url", credentialVariables: S3_CREDENTIAL_VARIABLES },
      place: s3Place(config),
    },
    get: (pattern, runId) => getFiles(state, pattern, runId),
    put: (pattern, runId, options) => putFiles(state, pattern, runId, options),
    putContent: (name, content, runId) => putContent(state, name, content, runId),
    createContent: async (name, runId) => createContent(state, name, runId),
    readFile: (runId, relativePath) => readFile(state, runId, relativePath),
    deleteRun: (runId) => deleteRun(state, runId),
    syncBetweenRuns: (previousRunId, runId) => syncBetweenRuns(state, previousRunId, runId),
  };
}

function checkRunId(runId: string): void {
  const problem = validateRunId(runId);
  if (problem) throw new RunnableError("CATALOG_ERROR", `Cannot use the catalog: ${problem}`);
}

/** The key prefix of a run's files. */
const area = (state: S3CatalogState, runId: string): string => `${state.access.base}${runId}/`;

const fail = (message: string): RunnableError => new RunnableError("CATALOG_ERROR", message);

/** Runs `action`, turning an SDK failure into the catalog's error that names what it was doing. */
async function guarded<T>(state: S3CatalogState, doing: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw s3Error(error, state.access, doing, fail);
  }
}

function entry(state: S3CatalogState, name: string, hash: string, runId: string, stage: DataCatalog["stage"]): DataCatalog {
  return { name, data_hash: hash, catalog_relative_path: `${runId}/${name}`, catalog_handler_location: state.access.display.replace(/\/$/, ""), stage };
}

/** Downloads the run's files matching `pattern` (execution logs only when named exactly) into the working directory. */
function getFiles(state: S3CatalogState, pattern: string, runId: string): Promise<DataCatalog[]> {
  const { access, cwd } = state;
  return guarded(state, `get ${pattern} of run ${runId}`, async () => {
    checkRunId(runId);
    checkRelative(pattern, "pattern", `${access.display}${runId}`, "catalog");
    const exact = normalizeRelative(pattern);
    const matches = picomatch(exact, { dot: true });
    const prefix = area(state, runId);
    const files = (await listKeys(access, prefix))
      .map(({ key }) => key.slice(prefix.length))
      .filter((name) => matches(name) && (!isExecutionLog(name) || name === exact))
      .sort();
    if (files.length === 0)
      throw new RunnableError("CATALOG_ERROR", `Did not find any files matching ${pattern} in ${access.display}${runId}`, { hint: GET_HINT });
    const entries: DataCatalog[] = [];
    for (const name of files) {
      const target = await prepareTarget(cwd, name);
      const sha256 = await downloadFile(access.client, access.bucket, `${prefix}${name}`, target);
      entries.push(entry(state, name, await dataHashAfterCopy(state.hash, target, sha256), runId, "get"));
    }
    return entries;
  });
}

/** Uploads the working directory's files matching `pattern` into the run's area (with `storeCopy: false`, only records them). */
function putFiles(state: S3CatalogState, pattern: string, runId: string, options: PutOptions = {}): Promise<DataCatalog[]> {
  const { access, cwd } = state;
  return guarded(state, `put ${pattern} into run ${runId}`, async () => {
    checkRunId(runId);
    checkRelative(pattern, "pattern", cwd, "working directory");
    const found = await findFiles(cwd, pattern);
    if (found.length === 0 && options.allowMissing) return [];
    if (found.length === 0) throw new RunnableError("CATALOG_ERROR", `Did not find any files matching ${pattern} in ${cwd}`, { hint: PUT_HINT });
    const files = await freshFiles(cwd, found, pattern, state.staleFiles, options, state.warn);
    options.claim?.(files);
    const entries: DataCatalog[] = [];
    for (const name of files) {
      const file = path.join(cwd, name);
      const hash =
        options.storeCopy === false
          ? await dataHashOfFile(file, state.hash)
          : await dataHashAfterCopy(state.hash, file, await uploadFile(access.client, access.bucket, `${area(state, runId)}${name}`, file));
      entries.push(entry(state, name, hash, runId, "put"));
    }
    return entries;
  });
}

function putContent(state: S3CatalogState, name: string, content: string | Uint8Array, runId: string): Promise<DataCatalog[]> {
  const { access } = state;
  return guarded(state, `store ${name} in run ${runId}`, async () => {
    checkRunId(runId);
    checkRelative(name, "name", `${access.display}${runId}`, "catalog");
    const relative = normalizeRelative(name);
    await access.client.send(new PutObjectCommand({ Bucket: access.bucket, Key: `${area(state, runId)}${relative}`, Body: content }));
    return [entry(state, relative, createHash("sha256").update(content).digest("hex"), runId, "put")];
  });
}

function createContent(state: S3CatalogState, name: string, runId: string): ContentWriter {
  const { access } = state;
  checkRunId(runId);
  checkRelative(name, "name", `${access.display}${runId}`, "catalog");
  const relative = normalizeRelative(name);
  const key = `${area(state, runId)}${relative}`;
  return contentWriter(
    (file) => guarded(state, `store ${relative} in run ${runId}`, () => uploadFile(access.client, access.bucket, key, file)),
    (hash) => [entry(state, relative, hash, runId, "put")],
    relative,
  );
}

/** One stored file: its size now, its bytes streamed when opened. */
async function readFile(state: S3CatalogState, runId: string, relativePath: string): Promise<StoredFile> {
  const { access } = state;
  checkRunId(runId);
  checkRelative(relativePath, "path", `${access.display}${runId}`, "run's catalog");
  const key = `${area(state, runId)}${normalizeRelative(relativePath)}`;
  const size = await guarded(state, `read ${relativePath} of run ${runId}`, async () => {
    try {
      return (await access.client.send(new HeadObjectCommand({ Bucket: access.bucket, Key: key }))).ContentLength ?? 0;
    } catch (error) {
      if (s3Status(error).status === 404)
        throw new RunnableError("CATALOG_ERROR", `No file ${relativePath} in the catalog at ${access.display}${runId}`, {
          hint: "Names are those of the run's catalog entries (the `name` of a data_catalog record).",
        });
      throw error;
    }
  });
  return {
    size,
    open: async function* () {
      const result = await access.client.send(new GetObjectCommand({ Bucket: access.bucket, Key: key }));
      yield* result.Body as AsyncIterable<Uint8Array>;
    },
  };
}

function deleteRun(state: S3CatalogState, runId: string): Promise<Freed> {
  const { access } = state;
  return guarded(state, `delete the catalog of run ${runId}`, async () => {
    checkRunId(runId);
    const found = await listKeys(access, area(state, runId));
    for (let start = 0; start < found.length; start += 1000) {
      const batch = found.slice(start, start + 1000).map(({ key }) => ({ Key: key }));
      await access.client.send(new DeleteObjectsCommand({ Bucket: access.bucket, Delete: { Objects: batch, Quiet: true } }));
    }
    return { freedBytes: found.reduce((total, item) => total + item.size, 0) };
  });
}

/** Copies a previous run's files (not its execution logs) server-side into this run's area. */
function syncBetweenRuns(state: S3CatalogState, previousRunId: string, runId: string): Promise<void> {
  const { access } = state;
  return guarded(state, `copy the catalog of run ${previousRunId} to run ${runId}`, async () => {
    checkRunId(previousRunId);
    checkRunId(runId);
    const from = area(state, previousRunId);
    const found = await listKeys(access, from);
    if (found.length === 0) {
      throw new RunnableError("CATALOG_ERROR", `Catalog of the previous run ${previousRunId} not found at ${access.display}${previousRunId}`, {
        hint: "Re-runs need the original run's catalog; check the catalog config and the run id.",
      });
    }
    if (previousRunId === runId) return;
    for (const { key } of found) {
      const name = key.slice(from.length);
      if (isExecutionLog(name)) continue;
      const source = encodeURIComponent(`${access.bucket}/${key}`).replace(/%2F/g, "/");
      await access.client.send(new CopyObjectCommand({ Bucket: access.bucket, Key: `${area(state, runId)}${name}`, CopySource: source }));
    }
  });
}
