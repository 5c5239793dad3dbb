import { CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import picomatch from "picomatch";
import { RunnableError, messageOf } from "../../../core/errors.js";
import type { DataCatalog } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { Catalog, ContentWriter } from "../../../ports/catalog.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { type S3Access, openS3, recordedLocation, S3_CREDENTIAL_VARIABLES, s3Error, s3Status } from "../../shared/s3/s3-client.js";
import { s3Place } from "../../shared/s3/s3-location.js";
import { isExecutionLog } from "../../../core/names.js";
import { checkRelative, findFiles, normalizeRelative, prepareTarget } from "../file-system/catalog-files.js";
import { openTempFileSink } from "../temp-file-sink.js";
import type { S3CatalogConfig } from "./index.js";
import { downloadFile, uploadFile } from "./s3-transfer.js";

const PUT_HINT = "Patterns are globs relative to the working directory; check the spelling and that an earlier step created the file.";
const GET_HINT = "Files reach a run's catalog through the `put` of an earlier step (or put_in_catalog); check the pattern and the order of the steps.";

function checkRunId(runId: string): void {
  const problem = validateRunId(runId);
  if (problem) throw new RunnableError("CATALOG_ERROR", `Cannot use the catalog: ${problem}`);
}

/** The objects below `prefix` as (key, size) pairs. */
async function listKeys(access: S3Access, prefix: string): Promise<{ key: string; size: number }[]> {
  const found: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await access.client.send(new ListObjectsV2Command({ Bucket: access.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const item of page.Contents ?? []) if (item.Key) found.push({ key: item.Key, size: item.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/** The `s3` catalog: runnable's layout `<prefix>/<run_id>/<path relative to cwd>` in a bucket, streamed both ways. */
export function createS3Catalog(config: S3CatalogConfig, context: PluginContext): Catalog {
  const access = openS3(config, context.env, "catalog.config");
  const cwd = path.resolve(context.cwd);
  const area = (runId: string): string => `${access.base}${runId}/`;
  const fail = (message: string): RunnableError => new RunnableError("CATALOG_ERROR", message);
  const guarded = async <T>(doing: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw s3Error(error, access, doing, fail);
    }
  };
  const entry = (name: string, hash: string, runId: string, stage: DataCatalog["stage"]): DataCatalog => ({
    name,
    data_hash: hash,
    catalog_relative_path: `${runId}/${name}`,
    catalog_handler_location: access.display.replace(/\/$/, ""),
    stage,
  });

  const get = (pattern: string, runId: string): Promise<DataCatalog[]> =>
    guarded(`get ${pattern} of run ${runId}`, async () => {
      checkRunId(runId);
      checkRelative(pattern, "pattern", `${access.display}${runId}`, "catalog");
      const exact = normalizeRelative(pattern);
      const matches = picomatch(exact, { dot: true });
      const prefix = area(runId);
      const files = (await listKeys(access, prefix))
        .map(({ key }) => key.slice(prefix.length))
        .filter((name) => matches(name) && (!isExecutionLog(name) || name === exact))
        .sort();
      if (files.length === 0)
        throw new RunnableError("CATALOG_ERROR", `Did not find any files matching ${pattern} in ${access.display}${runId}`, { hint: GET_HINT });
      const entries: DataCatalog[] = [];
      for (const name of files) {
        const target = await prepareTarget(cwd, name);
        entries.push(entry(name, await downloadFile(access.client, access.bucket, `${prefix}${name}`, target), runId, "get"));
      }
      return entries;
    });

  const put = (pattern: string, runId: string): Promise<DataCatalog[]> =>
    guarded(`put ${pattern} into run ${runId}`, async () => {
      checkRunId(runId);
      checkRelative(pattern, "pattern", cwd, "working directory");
      const files = await findFiles(cwd, pattern);
      if (files.length === 0) throw new RunnableError("CATALOG_ERROR", `Did not find any files matching ${pattern} in ${cwd}`, { hint: PUT_HINT });
      const entries: DataCatalog[] = [];
      for (const name of files)
        entries.push(entry(name, await uploadFile(access.client, access.bucket, `${area(runId)}${name}`, path.join(cwd, name)), runId, "put"));
      return entries;
    });

  const putContent = (name: string, content: string | Uint8Array, runId: string): Promise<DataCatalog[]> =>
    guarded(`store ${name} in run ${runId}`, async () => {
      checkRunId(runId);
      checkRelative(name, "name", `${access.display}${runId}`, "catalog");
      const relative = normalizeRelative(name);
      await access.client.send(new PutObjectCommand({ Bucket: access.bucket, Key: `${area(runId)}${relative}`, Body: content }));
      return [entry(relative, createHash("sha256").update(content).digest("hex"), runId, "put")];
    });

  return {
    type: "s3",
    recordedConfig: recordedLocation(config),
    traits: {
      copies: true,
      sharing: "server",
      server: { address: config.endpoint_url ?? "", addressSetting: "endpoint_url", credentialVariables: S3_CREDENTIAL_VARIABLES },
      place: s3Place(config),
    },
    get,
    put,
    putContent,
    createContent: async (name, runId) => {
      checkRunId(runId);
      checkRelative(name, "name", `${access.display}${runId}`, "catalog");
      const relative = normalizeRelative(name);
      return contentWriter(
        (file) => guarded(`store ${relative} in run ${runId}`, () => uploadFile(access.client, access.bucket, `${area(runId)}${relative}`, file)),
        (hash) => [entry(relative, hash, runId, "put")],
        relative,
      );
    },
    readFile: async (runId, relativePath) => {
      checkRunId(runId);
      checkRelative(relativePath, "path", `${access.display}${runId}`, "run's catalog");
      const key = `${area(runId)}${normalizeRelative(relativePath)}`;
      const size = await guarded(`read ${relativePath} of run ${runId}`, async () => {
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
    },
    deleteRun: (runId) =>
      guarded(`delete the catalog of run ${runId}`, async () => {
        checkRunId(runId);
        const found = await listKeys(access, area(runId));
        for (let start = 0; start < found.length; start += 1000) {
          const batch = found.slice(start, start + 1000).map(({ key }) => ({ Key: key }));
          await access.client.send(new DeleteObjectsCommand({ Bucket: access.bucket, Delete: { Objects: batch, Quiet: true } }));
        }
        return { freedBytes: found.reduce((total, item) => total + item.size, 0) };
      }),
    syncBetweenRuns: (previousRunId, runId) =>
      guarded(`copy the catalog of run ${previousRunId} to run ${runId}`, async () => {
        checkRunId(previousRunId);
        checkRunId(runId);
        const from = area(previousRunId);
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
          await access.client.send(
            new CopyObjectCommand({
              Bucket: access.bucket,
              Key: `${area(runId)}${name}`,
              CopySource: encodeURIComponent(`${access.bucket}/${key}`).replace(/%2F/g, "/"),
            }),
          );
        }
      }),
  };
}

/**
 * A content writer over a private temp file ({@link openTempFileSink}); `commit` uploads it (multipart
 * when large) and removes it. A write that failed (a full disk) fails the commit, not the task's output.
 */
function contentWriter(upload: (file: string) => Promise<string>, record: (hash: string) => DataCatalog[], shown: string): ContentWriter {
  const sink = openTempFileSink(path.join(os.tmpdir(), `runnable-content-${process.pid}-${randomBytes(6).toString("hex")}`));
  return {
    get bytes() {
      return sink.bytes;
    },
    write(chunk) {
      sink.write(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    },
    async commit() {
      sink.close();
      try {
        if (sink.failure !== undefined) {
          throw new RunnableError("CATALOG_ERROR", `Could not write ${shown}: ${messageOf(sink.failure)}`, { cause: sink.failure });
        }
        return record(await upload(sink.path));
      } finally {
        await sink.remove();
      }
    },
    abort: () => sink.remove(),
  };
}
