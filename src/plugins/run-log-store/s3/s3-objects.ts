import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import { RunnableError } from "../../../core/errors.js";
import { withRetry } from "../../../io/retry.js";
import { type S3Access, s3Error, s3Status, s3Unavailable } from "../../shared/s3/s3-client.js";

// Object operations of the s3 run log store, each retried while the server is unreachable and with
// failures turned into the store's errors.

/** A listed object. */
export interface Listed {
  key: string;
  etag: string;
  size: number;
  modifiedMs: number;
}

/** What a read gave: the text, its ETag and when it changed (server clock). */
export interface Read {
  text: string;
  etag: string;
  modifiedMs: number;
}

/** The store's calls to S3 with retries while the server is unreachable (every call here is idempotent). */
export interface StoreObjects {
  access: S3Access;
  get(key: string, doing: string): Promise<Read | undefined>;
  /** A put; with `ifMatch`/`ifNoneMatch` it fails with "conflict" instead of overwriting what changed. */
  put(key: string, body: string, doing: string, condition?: { ifMatch?: string; ifNoneMatch?: "*" }): Promise<{ etag: string } | "conflict" | "missing">;
  head(key: string, doing: string): Promise<boolean>;
  list(prefix: string, doing: string, delimiter?: string): Promise<{ objects: Listed[]; prefixes: string[] }>;
  remove(keys: string[], doing: string): Promise<void>;
}

/** What the object calls share: the bucket's client, how long to retry and whom to warn. */
interface ObjectsState {
  readonly access: S3Access;
  readonly retrySeconds: number;
  readonly warn: (message: string) => void;
}

type PutCondition = { ifMatch?: string; ifNoneMatch?: "*" };

const fail = (message: string): RunnableError => new RunnableError("INTERNAL", message);

/** Runs `action` until it succeeds, retrying while the server is unreachable for up to retry_seconds (warning once). */
async function retrying<T>(state: ObjectsState, doing: string, action: () => Promise<T>): Promise<T> {
  const { access, retrySeconds } = state;
  let warned = false;
  const onRetry = (): void => {
    if (!warned) state.warn(`run_log_store s3 (${access.display}) is unreachable; retrying for up to ${retrySeconds} s`);
    warned = true;
  };
  try {
    return await withRetry(action, { retryable: s3Unavailable, deadlineMs: retrySeconds * 1000, baseDelayMs: 200, onRetry });
  } catch (error) {
    throw s3Error(error, access, doing, fail);
  }
}

const isMissingKey = ({ status, name }: ReturnType<typeof s3Status>): boolean => name === "NoSuchKey" || (status === 404 && name !== "NoSuchBucket");

async function getObject({ client, bucket }: S3Access, key: string): Promise<Read | undefined> {
  try {
    const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await result.Body?.transformToString("utf8")) ?? "";
    return { text, etag: result.ETag ?? "", modifiedMs: result.LastModified?.getTime() ?? 0 };
  } catch (error) {
    if (isMissingKey(s3Status(error))) return undefined;
    throw error;
  }
}

async function putObject({ client, bucket }: S3Access, key: string, body: string, condition: PutCondition): ReturnType<StoreObjects["put"]> {
  const input: PutObjectCommandInput = { Bucket: bucket, Key: key, Body: body, ContentType: "application/json" };
  if (condition.ifMatch) input.IfMatch = condition.ifMatch;
  if (condition.ifNoneMatch) input.IfNoneMatch = condition.ifNoneMatch;
  try {
    const result = await client.send(new PutObjectCommand(input));
    return { etag: result.ETag ?? "" };
  } catch (error) {
    const { status, name } = s3Status(error);
    if (status === 412 || name === "PreconditionFailed" || status === 409 || name === "ConditionalRequestConflict") return "conflict";
    if (condition.ifMatch && isMissingKey({ status, name })) return "missing";
    throw error;
  }
}

async function headObject({ client, bucket }: S3Access, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    const { status, name } = s3Status(error);
    if (status === 404 && name !== "NoSuchBucket") {
      // HEAD has no body: a missing bucket looks like a missing key, so ask once what it is.
      await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1, Prefix: key }));
      return false;
    }
    throw error;
  }
}

async function listObjects({ client, bucket }: S3Access, prefix: string, delimiter?: string): Promise<{ objects: Listed[]; prefixes: string[] }> {
  const objects: Listed[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, ...(delimiter ? { Delimiter: delimiter } : {}) }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key) objects.push({ key: item.Key, etag: item.ETag ?? "", size: item.Size ?? 0, modifiedMs: item.LastModified?.getTime() ?? 0 });
    }
    for (const common of page.CommonPrefixes ?? []) if (common.Prefix) prefixes.push(common.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects, prefixes };
}

async function removeObjects(state: ObjectsState, keys: string[], doing: string): Promise<void> {
  const { client, bucket, display } = state.access;
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    await retrying(state, doing, async () => {
      const result = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      const failed = (result.Errors ?? []).filter((item) => item.Code !== "NoSuchKey");
      if (failed.length > 0) throw fail(`${display}: could not ${doing}: ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message ?? ""}`);
    });
  }
}

/** The store's object calls over `access`, retrying unreachable servers for `retrySeconds`. */
export function storeObjects(access: S3Access, retrySeconds: number, warn: (message: string) => void): StoreObjects {
  const state: ObjectsState = { access, retrySeconds, warn };
  return {
    access,
    get: (key, doing) => retrying(state, doing, () => getObject(access, key)),
    put: (key, body, doing, condition = {}) => retrying(state, doing, () => putObject(access, key, body, condition)),
    head: (key, doing) => retrying(state, doing, () => headObject(access, key)),
    list: (prefix, doing, delimiter) => retrying(state, doing, () => listObjects(access, prefix, delimiter)),
    remove: (keys, doing) => removeObjects(state, keys, doing),
  };
}
