import type { BigIntStats } from "node:fs";
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { type FileHandle, link, open, stat, unlink } from "node:fs/promises";
import { type WriteObserver, writeTemp } from "../../../io/atomic-file.js";

export type { WriteObserver };

/** True when `error` is a Node system error with one of the given codes. */
export function isErrno(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && codes.includes(code);
}

/**
 * Writes a small `file` atomically with its temp file at `temp`, a path in a small folder of the same
 * file system: creating and removing names in a folder of tens of thousands of files is what makes an
 * atomic write slow, so only the rename touches the big folder. Synchronous on purpose: for a file of
 * a few kilobytes the system calls take microseconds, less than the thread-pool round trips of the
 * asynchronous API (and far less on a busy machine).
 */
export function writeAtomicVia(temp: string, file: string, data: string | Buffer, observe?: WriteObserver): void {
  try {
    writeFileSync(temp, data, { flag: "wx" });
    observe?.(file, typeof data === "string" ? Buffer.byteLength(data) : data.length);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Writes `file` atomically only if it does not exist yet (temp file, then a hard link, which fails when
 * the name is taken). Returns the inode, or undefined when the file already existed.
 */
export async function createAtomic(file: string, data: string | Buffer, observe?: WriteObserver): Promise<bigint | undefined> {
  const { temp, ino } = await writeTemp(file, data, observe);
  try {
    await link(temp, file);
    return ino;
  } catch (error) {
    if (isErrno(error, "EEXIST")) return undefined;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** `stat` with bigint fields, or null when the file does not exist. */
export async function statOrNull(file: string): Promise<BigIntStats | null> {
  try {
    return await stat(file, { bigint: true });
  } catch (error) {
    if (isErrno(error, "ENOENT", "ENOTDIR")) return null;
    throw error;
  }
}

/** Removes a file; a missing file is fine. */
export async function removeIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
}

/** The content and identity of a file read through one handle, or null when it does not exist. */
export interface FileRead {
  data: Buffer;
  ino: bigint;
  mtimeNs: bigint;
}

/** Opens `file` for reading, or returns null when it does not exist. */
export async function openIfExists(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, "r");
  } catch (error) {
    if (isErrno(error, "ENOENT", "ENOTDIR")) return null;
    throw error;
  }
}

/** Reads a file from `offset` on through one handle (so data and inode belong together). */
export async function readWithIdentity(file: string, offset = 0): Promise<FileRead | null> {
  const handle = await openIfExists(file);
  if (!handle) return null;
  try {
    const stats = await handle.stat({ bigint: true });
    const length = Math.max(0, Number(stats.size) - offset);
    const data = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(data, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return { data: data.subarray(0, done), ino: stats.ino, mtimeNs: stats.mtimeNs };
  } finally {
    await handle.close();
  }
}

/**
 * {@link readWithIdentity} for small files, synchronously: reading thousands of chunk files costs a
 * few microseconds each this way, against several thread-pool round trips each asynchronously.
 */
export function readWithIdentitySync(file: string): FileRead | null {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    if (isErrno(error, "ENOENT", "ENOTDIR")) return null;
    throw error;
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    const data = Buffer.alloc(Number(stats.size));
    let done = 0;
    while (done < data.length) {
      const bytesRead = readSync(fd, data, done, data.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return { data: data.subarray(0, done), ino: stats.ino, mtimeNs: stats.mtimeNs };
  } finally {
    closeSync(fd);
  }
}
