import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { isErrno, removeIfExists, statOrNull } from "./fs-utils.js";
import { processAlive } from "../../../io/process-alive.js";

/** A lock taken with {@link tryLock}. */
export interface FileLock {
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

/** What a lock file says right now; `ino` tells two lock files apart. */
export type LockState = { state: "free" } | { state: "held" | "stale"; ino: bigint };

/** A lock older than this (or left by a dead process on this host) is taken over. */
export const STALE_LOCK_MS = 60_000;

/** An empty lock file older than this was never written completely. */
const EMPTY_LOCK_MS = 2_000;

async function ownerIsDead(file: string): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(file, "utf8")) as { pid?: unknown; host?: unknown };
    const pid = owner.pid;
    if (owner.host !== os.hostname() || typeof pid !== "number" || pid === process.pid) return false;
    return !processAlive(pid);
  } catch {
    return false; // being written or gone: not provably stale
  }
}

/** Whether a lock file exists and whether its owner still counts as alive. */
export async function lockState(file: string, staleMs = STALE_LOCK_MS): Promise<LockState> {
  const stats = await statOrNull(file);
  if (!stats) return { state: "free" };
  const ageMs = Date.now() - Number(stats.mtimeMs);
  // An empty lock file older than a moment was never written (its writer failed or died): no one holds it.
  const empty = stats.size === 0n && ageMs > EMPTY_LOCK_MS;
  const stale = empty || ageMs > staleMs || (await ownerIsDead(file));
  return { state: stale ? "stale" : "held", ino: stats.ino };
}

async function create(file: string): Promise<FileLock | null> {
  const token = randomBytes(8).toString("hex");
  try {
    await writeFile(file, JSON.stringify({ pid: process.pid, host: os.hostname(), token }), { flag: "wx" });
  } catch (error) {
    if (isErrno(error, "EEXIST")) return null;
    // Created but not written (a full disk): an empty lock file must not make everyone wait.
    await removeIfExists(file).catch(() => undefined);
    throw error;
  }
  return {
    release: async () => {
      const content = await readFile(file, "utf8").catch(() => "");
      if (content.includes(token)) await removeIfExists(file);
    },
  };
}

/** Takes the lock `file` (created with the `wx` flag) or returns null when someone alive holds it. */
export async function tryLock(file: string, staleMs = STALE_LOCK_MS): Promise<FileLock | null> {
  const lock = await create(file);
  if (lock) return lock;
  if ((await lockState(file, staleMs)).state !== "stale") return null;
  await removeIfExists(file);
  return create(file);
}

/** Takes the lock `file`, waiting while someone else holds it (a stale lock is taken over). */
export async function waitForLock(file: string, staleMs = STALE_LOCK_MS): Promise<FileLock> {
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const lock = await tryLock(file, staleMs);
    if (lock) return lock;
    await sleep(delay);
  }
}
