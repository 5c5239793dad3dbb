import { randomBytes } from "node:crypto";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import path from "node:path";

// Atomic file writes (temp file beside the target, then rename), shared by every layer that writes a
// whole file at once: run log stores, the Argo manifest, the Python SDK's result file.

/** Called with every file write a store makes (tests count bytes with it). */
export type WriteObserver = (file: string, bytes: number) => void;

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

/** Writes `data` to a new temp file beside `file`; returns its path, inode and size (the caller renames or links it). */
export async function writeTemp(file: string, data: FileData, observe?: WriteObserver): Promise<{ temp: string; ino: bigint; bytes: number }> {
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
