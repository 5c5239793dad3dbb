import { randomBytes } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { link, mkdir, readFile, rename, unlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { RunnableError } from "../../../core/errors.js";
import type { LeaseOptions, LeaseOwner, LeaseState, RunLease, RunLogStoreDriver } from "../../../ports/run-log-store.js";
import { isErrno, statOrNull } from "./fs-utils.js";
import { processAlive as alive } from "../../../io/process-alive.js";

// A run's lease is a small JSON file whose mtime is its heartbeat. Staleness never trusts a pid seen
// from another host, container or boot: only when the holder's process scope (host name, boot id and
// pid namespace) is ours is a dead pid proof; otherwise the heartbeat's age decides.

/** Default time after which an unrenewed lease is stale. */
export const DEFAULT_LEASE_TTL_MS = 30_000;

interface LeaseContent extends LeaseOwner {
  token: string;
  scope: string;
  ttl_ms: number;
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return fallback;
  }
}

/** What makes a pid meaningful: the host, its boot and the pid namespace of this process. */
export function processScope(): string {
  let namespace = "";
  try {
    namespace = readlinkSync("/proc/self/ns/pid");
  } catch {
    // not Linux: host name and boot id only
  }
  return `${os.hostname()}|${readOr("/proc/sys/kernel/random/boot_id", "")}|${namespace}`;
}

async function readLease(file: string): Promise<{ content: LeaseContent | null; mtimeMs: number; ino: bigint } | null> {
  const stats = await statOrNull(file);
  if (!stats) return null;
  let content: LeaseContent | null = null;
  try {
    content = JSON.parse(await readFile(file, "utf8")) as LeaseContent;
  } catch {
    content = null; // being written, or not ours: judged by age alone
  }
  return { content, mtimeMs: Number(stats.mtimeMs), ino: stats.ino };
}

function judge(read: NonNullable<Awaited<ReturnType<typeof readLease>>>, scope: string): LeaseState {
  const age = Math.max(0, Date.now() - read.mtimeMs);
  const { content } = read;
  const owner: LeaseOwner | null = content ? { host: content.host, pid: content.pid, since_ms: content.since_ms } : null;
  const ttl = content?.ttl_ms ?? DEFAULT_LEASE_TTL_MS;
  const provablyDead = content !== null && content.scope === scope && content.pid !== process.pid && !alive(content.pid);
  if (provablyDead || age > ttl || !owner) return { state: "stale", owner, age_ms: age };
  return { state: "live", owner, age_ms: age };
}

/** Where the lease of run `runId` lives in a store folder (file-system and chunked-fs alike). */
export function leaseFileOf(folder: string, runId: string): string {
  return path.join(folder, `${runId}.lease`);
}

/** The state of the lease in `file`. */
export async function leaseFileState(file: string): Promise<LeaseState> {
  const read = await readLease(file);
  return read ? judge(read, processScope()) : { state: "none" };
}

function busy(runId: string, owner: LeaseOwner | null): RunnableError {
  const who = owner ? `process ${owner.pid} on ${owner.host} (since ${new Date(owner.since_ms).toISOString()})` : "another process";
  return new RunnableError("RUN_BUSY", `Run "${runId}" is being run by ${who}`, {
    hint: "Wait for it to finish (or stop it: Ctrl-C / kill <pid>); a live run is never retried or overwritten.",
  });
}

/** Moves a stale lease aside, unless someone replaced it meanwhile (then it is left alone). */
async function takeOver(file: string, staleIno: bigint): Promise<void> {
  const aside = `${file}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return;
    throw error;
  }
  const moved = await statOrNull(aside);
  if (moved && moved.ino !== staleIno) {
    // We moved a fresh lease of someone else: put it back (fails only if yet another one appeared).
    await link(aside, file).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

/** Takes the lease file of run `runId` (see {@link RunLogStore.acquireLease}). */
export async function acquireLeaseFile(file: string, runId: string, options: LeaseOptions = {}): Promise<RunLease> {
  const scope = processScope();
  const content: LeaseContent = {
    token: randomBytes(12).toString("hex"),
    host: os.hostname(),
    pid: process.pid,
    since_ms: Date.now(),
    scope,
    ttl_ms: options.ttlMs ?? DEFAULT_LEASE_TTL_MS,
  };
  const text = JSON.stringify(content);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeFile(file, text, { flag: "wx", mode: 0o644 });
      return heldLease(file, runId, content.token);
    } catch (error) {
      if (isErrno(error, "ENOENT")) {
        throw new RunnableError("CONFIG_INVALID", `Cannot create the lease of run "${runId}": folder ${path.dirname(file)} does not exist`);
      }
      if (!isErrno(error, "EEXIST")) throw error;
    }
    const read = await readLease(file);
    if (!read) continue;
    const state = judge(read, scope);
    if (state.state === "live") throw busy(runId, state.owner);
    await takeOver(file, read.ino);
  }
  throw busy(runId, null);
}

function heldLease(file: string, runId: string, token: string): RunLease {
  let released = false;
  return {
    async renew() {
      if (released) return;
      const read = await readLease(file);
      if (!read || read.content?.token !== token) {
        throw busy(runId, read?.content ? { host: read.content.host, pid: read.content.pid, since_ms: read.content.since_ms } : null);
      }
      const now = new Date();
      await utimes(file, now, now);
    },
    async release() {
      if (released) return;
      released = true;
      const read = await readLease(file);
      if (read?.content?.token === token) await unlink(file).catch(() => undefined);
    },
  };
}

/** The lease operations of a store that keeps `<run_id>.lease` files in `folder` (file-system, chunked-fs). */
export function folderLeases(folder: string): Pick<RunLogStoreDriver, "acquireLease" | "leaseState"> {
  return {
    acquireLease: async (runId, options) => {
      await mkdir(folder, { recursive: true });
      return acquireLeaseFile(leaseFileOf(folder, runId), runId, options);
    },
    leaseState: (runId) => leaseFileState(leaseFileOf(folder, runId)),
  };
}

/** `summary` with `stale` set when it is PROCESSING and its lease (in `file`) is stale. */
export async function withStaleness<T extends { status: string; stale?: boolean }>(summary: T, file: string): Promise<T> {
  if (summary.status !== "PROCESSING") return summary;
  const state = await leaseFileState(file);
  return state.state === "stale" ? { ...summary, stale: true } : summary;
}
