import { randomBytes } from "node:crypto";
import type { BigIntStats } from "node:fs";
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { type FileHandle, link, open, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";

/** Called with every file write a store makes (tests count bytes with it). */
export type WriteObserver = (file: string, bytes: number) => void;

/** True when `error` is a Node system error with one of the given codes. */
export function isErrno(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && codes.includes(code);
}

/** A unique temp file name beside `file` (hidden, so folder listings skip it). */
export function tempPathFor(file: string): string {
  const suffix = `${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  return path.join(path.dirname(file), `.${path.basename(file)}.${suffix}`);
}

const CHUNK_CHARS = 1 << 20;

/** What an atomic write writes: text, bytes, or text in pieces (written as they come). */
export type FileData = string | Buffer | Iterable<string>;

/** A long text in pieces of about a megabyte (a surrogate pair is never split). */
function* piecesOf(text: string): Generator<string> {
  for (let from = 0; from < text.length; ) {
    let to = Math.min(from + CHUNK_CHARS, text.length);
    const last = text.charCodeAt(to - 1);
    if (to < text.length && last >= 0xd800 && last <= 0xdbff) to++;
    yield text.slice(from, to);
    from = to;
  }
}

/**
 * Writes all of `data` and returns its size in bytes; text is encoded a megabyte at a time, so a run log
 * of tens of megabytes never needs a second copy of itself as one buffer.
 */
async function writeAll(handle: FileHandle, data: FileData): Promise<number> {
  if (Buffer.isBuffer(data) || (typeof data === "string" && data.length <= 4 * CHUNK_CHARS)) {
    await handle.writeFile(data);
    return typeof data === "string" ? Buffer.byteLength(data) : data.length;
  }
  let bytes = 0;
  for (const piece of typeof data === "string" ? piecesOf(data) : data) {
    const chunk = Buffer.from(piece, "utf8");
    for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
    bytes += chunk.length;
  }
  return bytes;
}

async function writeTemp(file: string, data: FileData, observe?: WriteObserver): Promise<{ temp: string; ino: bigint; bytes: number }> {
  const temp = tempPathFor(file);
  const handle = await open(temp, "wx");
  try {
    const bytes = await writeAll(handle, data);
    const { ino } = await handle.stat({ bigint: true });
    await handle.close();
    observe?.(file, bytes);
    return { temp, ino, bytes };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Writes `file` atomically (temp file in the same folder, then rename); returns the new file's inode and size. */
export async function writeAtomicSized(file: string, data: FileData, observe?: WriteObserver): Promise<{ ino: bigint; bytes: number }> {
  const { temp, ino, bytes } = await writeTemp(file, data, observe);
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return { ino, bytes };
}

/** Writes `file` atomically (temp file in the same folder, then rename); returns the new file's inode. */
export async function writeAtomic(file: string, data: FileData, observe?: WriteObserver): Promise<bigint> {
  return (await writeAtomicSized(file, data, observe)).ino;
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

/** Maps over `items` with at most `limit` calls in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
