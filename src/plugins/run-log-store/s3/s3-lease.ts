import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { RunnableError } from "../../../core/errors.js";
import type { LeaseOptions, LeaseOwner, LeaseState, RunLease } from "../../../ports/run-log-store.js";
import { s3Status } from "../../shared/s3/s3-client.js";
import type { Read, StoreObjects } from "./s3-objects.js";

// A run's lease is the object `<run>/.lease`. It is taken with If-None-Match (or, when stale, with
// If-Match on the stale version), renewed by rewriting it with If-Match, and its age is the server's
// clock (the Date of a response) minus its LastModified: no pid or local clock is trusted.

const DEFAULT_TTL_MS = 30_000;

interface LeaseContent extends LeaseOwner {
  token: string;
  ttl_ms: number;
}

function busy(runId: string, owner: LeaseOwner | null): RunnableError {
  const who = owner ? `process ${owner.pid} on ${owner.host} (since ${new Date(owner.since_ms).toISOString()})` : "another process";
  return new RunnableError("RUN_BUSY", `Run "${runId}" is being run by ${who}`, {
    hint: "Wait for it to finish (or stop it); a live run is never retried or overwritten.",
  });
}

function parse(read: Read): LeaseContent | null {
  try {
    return JSON.parse(read.text) as LeaseContent;
  } catch {
    return null;
  }
}

/** The state of a lease object as read (`nowMs` on the server's clock). */
export function judgeLease(read: Read | undefined, nowMs: number): LeaseState {
  if (!read) return { state: "none" };
  const content = parse(read);
  const owner = content ? { host: content.host, pid: content.pid, since_ms: content.since_ms } : null;
  // LastModified and Date have one-second resolution: count a second of slack before calling it stale.
  const age = Math.max(0, nowMs - read.modifiedMs);
  const stale = !content || age > (content.ttl_ms ?? DEFAULT_TTL_MS) + 1000;
  return stale ? { state: "stale", owner, age_ms: age } : { state: "live", owner: owner!, age_ms: age };
}

/** The lease state of the lease object `key`. */
export async function s3LeaseState(objects: StoreObjects, key: string, runId: string): Promise<LeaseState> {
  const read = await objects.get(key, `read the lease of run "${runId}"`);
  return judgeLease(read, objects.access.serverNow());
}

/** Takes the lease object `key` of `runId` (see {@link RunLogStore.acquireLease}). */
export async function acquireS3Lease(objects: StoreObjects, key: string, runId: string, options: LeaseOptions = {}): Promise<RunLease> {
  const content: LeaseContent = {
    token: randomBytes(12).toString("hex"),
    host: os.hostname(),
    pid: process.pid,
    since_ms: Date.now(),
    ttl_ms: options.ttlMs ?? DEFAULT_TTL_MS,
  };
  const body = JSON.stringify(content);
  const doing = `take the lease of run "${runId}"`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const created = await objects.put(key, body, doing, { ifNoneMatch: "*" });
    if (created !== "conflict" && created !== "missing") return heldLease(objects, key, runId, body, created.etag);
    const read = await objects.get(key, doing);
    if (!read) continue;
    const state = judgeLease(read, objects.access.serverNow());
    if (state.state === "live") throw busy(runId, state.owner);
    const taken = await objects.put(key, body, doing, { ifMatch: read.etag });
    if (taken !== "conflict" && taken !== "missing") return heldLease(objects, key, runId, body, taken.etag);
  }
  throw busy(runId, null);
}

function heldLease(objects: StoreObjects, key: string, runId: string, body: string, firstEtag: string): RunLease {
  let etag = firstEtag;
  let released = false;
  const token = (JSON.parse(body) as LeaseContent).token;
  return {
    async renew() {
      if (released) return;
      const renewed = await objects.put(key, body, `renew the lease of run "${runId}"`, { ifMatch: etag });
      if (renewed === "conflict" || renewed === "missing") {
        const read = await objects.get(key, `read the lease of run "${runId}"`);
        const content = read ? parse(read) : null;
        throw busy(runId, content ? { host: content.host, pid: content.pid, since_ms: content.since_ms } : null);
      }
      etag = renewed.etag;
    },
    async release() {
      if (released) return;
      released = true;
      const { client, bucket } = objects.access;
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }));
      } catch (error) {
        const { status, name } = s3Status(error);
        if (status === 412 || status === 404 || name === "NoSuchKey") return;
        // Servers without conditional deletes: delete only what is still ours.
        const read = await objects.get(key, `release the lease of run "${runId}"`);
        if (read && parse(read)?.token === token) await objects.remove([key], `release the lease of run "${runId}"`);
      }
    },
  };
}
