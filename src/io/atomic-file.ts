import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
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

/** Writes `data` to a new temp file beside `file`; returns its path and inode (the caller renames or links it). */
export async function writeTemp(file: string, data: string | Buffer, observe?: WriteObserver): Promise<{ temp: string; ino: bigint }> {
  const temp = tempPathFor(file);
  const handle = await open(temp, "wx");
  try {
    await handle.writeFile(data);
    const { ino } = await handle.stat({ bigint: true });
    await handle.close();
    observe?.(file, typeof data === "string" ? Buffer.byteLength(data) : data.length);
    return { temp, ino };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Writes `file` atomically (temp file in the same folder, then rename); returns the new file's inode. */
export async function writeAtomic(file: string, data: string | Buffer, observe?: WriteObserver): Promise<bigint> {
  const { temp, ino } = await writeTemp(file, data, observe);
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return ino;
}

