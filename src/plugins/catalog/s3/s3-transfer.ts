import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RunnableError, messageOf } from "../../../core/errors.js";
import type { DataCatalog } from "../../../core/run-log.js";
import type { ContentWriter } from "../../../ports/catalog.js";
import type { S3Access } from "../../shared/s3/s3-client.js";
import { tempPathFor } from "../catalog-paths.js";
import { openTempFileSink } from "../temp-file-sink.js";

// Streaming transfers between local files and objects: SHA-256 computed while the bytes pass, large
// files as multipart uploads of bounded parts (memory stays at a few parts whatever the size); listings.

/** Part size of multipart uploads (S3's minimum is 5 MiB). */
export const PART_SIZE = 5 * 1024 * 1024;
/** Parts uploaded at once. */
export const PARTS_AT_ONCE = 3;

/** Yields the chunks of `source` while hashing them. */
async function* hashing(source: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

/** Uploads `file` to `key` (multipart above one part); returns the SHA-256 of what was sent. */
export async function uploadFile(client: S3Client, bucket: string, key: string, file: string): Promise<string> {
  const hash = createHash("sha256");
  const source = createReadStream(file, { highWaterMark: 256 * 1024 });
  // A transform stream (not an async generator): lib-storage reads it in large chunks, fast.
  const hashed = new Transform({
    highWaterMark: 256 * 1024,
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  source.on("error", (error) => hashed.destroy(error));
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: source.pipe(hashed) },
    partSize: PART_SIZE,
    queueSize: PARTS_AT_ONCE,
    leavePartsOnError: false,
  });
  await upload.done();
  return hash.digest("hex");
}

/** Downloads `key` into `target` through a temp file beside it (renamed into place); returns its SHA-256. */
export async function downloadFile(client: S3Client, bucket: string, key: string, target: string): Promise<string> {
  const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash("sha256");
  const temp = tempPathFor(target);
  try {
    await pipeline(hashing(result.Body as AsyncIterable<Uint8Array>, hash), createWriteStream(temp));
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return hash.digest("hex");
}

/** The objects below `prefix` as (key, size) pairs. */
export async function listKeys(access: S3Access, prefix: string): Promise<{ key: string; size: number }[]> {
  const found: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await access.client.send(new ListObjectsV2Command({ Bucket: access.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const item of page.Contents ?? []) if (item.Key) found.push({ key: item.Key, size: item.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/**
 * A content writer over a private temp file ({@link openTempFileSink}); `commit` uploads it (multipart
 * when large) and removes it. A write that failed (a full disk) fails the commit, not the task's output.
 */
export function contentWriter(upload: (file: string) => Promise<string>, record: (hash: string) => DataCatalog[], shown: string): ContentWriter {
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
