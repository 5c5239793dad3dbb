import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { z } from "zod";

// The `data_hash` of a cataloged file: the SHA-256 of its content (February-2024 runnable, and the
// default here), or — where the user asks for it — runnable 0.50's fingerprint for large files
// (runnable/utils.py `get_data_hash`, since 0.44: files of 1 GiB or more get the SHA-256 of their size
// in decimal, their first MiB and their last MiB, so a 100 GB file is identified without reading it).

/** runnable 0.50's `LARGE_FILE_THRESHOLD_BYTES`. */
export const FINGERPRINT_THRESHOLD_BYTES = 1024 * 1024 * 1024;
/** runnable 0.50's `HASH_CHUNK_SIZE`: the bytes read at each end of a fingerprinted file. */
export const FINGERPRINT_CHUNK_BYTES = 1024 * 1024;
/** Read size of a full hash: large reads keep a streamed SHA-256 at disk speed. */
const READ_BYTES = 1024 * 1024;

/** Config keys of the data hash, taken by every catalog that copies files (absent: the SHA-256, as February-2024 runnable). */
export const dataHashFields = () => ({
  /**
   * `sha256` (default): the SHA-256 of every file's content. `fingerprint`: files of at least
   * `large_file_threshold_bytes` get runnable 0.50's fingerprint (size, first and last MiB) instead.
   */
  large_file_hash: z.enum(["sha256", "fingerprint"]).optional(),
  /** Size from which `fingerprint` applies (default: runnable 0.50's threshold, 1 GiB). */
  large_file_threshold_bytes: z.int().min(1).optional(),
});

/** How a catalog identifies file content (the validated {@link dataHashFields}, defaults applied). */
export interface DataHashSettings {
  large_file_hash: "sha256" | "fingerprint";
  large_file_threshold_bytes: number;
}

/** The settings of a catalog config (its {@link dataHashFields}), with the defaults for what it leaves out. */
export function dataHashSettings(config: {
  large_file_hash?: DataHashSettings["large_file_hash"] | undefined;
  large_file_threshold_bytes?: number | undefined;
}): DataHashSettings {
  return { large_file_hash: config.large_file_hash ?? "sha256", large_file_threshold_bytes: config.large_file_threshold_bytes ?? FINGERPRINT_THRESHOLD_BYTES };
}

/** The settings to record in `run_config.catalog_handler`: nothing while they are the default (the SHA-256). */
export function recordedDataHash(settings: DataHashSettings): Record<string, unknown> {
  if (settings.large_file_hash === "sha256") return {};
  return { large_file_hash: settings.large_file_hash, large_file_threshold_bytes: settings.large_file_threshold_bytes };
}

/** True when a file of `size` bytes is identified by its fingerprint rather than its SHA-256. */
export function fingerprinted(settings: DataHashSettings, size: number): boolean {
  return settings.large_file_hash === "fingerprint" && size >= settings.large_file_threshold_bytes;
}

/** The streamed SHA-256 of a file's content (memory stays at one read buffer whatever the size). */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: READ_BYTES })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** runnable 0.50's fingerprint of a file of `size` bytes: SHA-256 over the size in decimal, the first MiB and the last MiB. */
export async function fingerprintOfFile(file: string, size: number): Promise<string> {
  const hash = createHash("sha256").update(String(size));
  const handle = await open(file, "r");
  try {
    const first = Buffer.alloc(Math.min(FINGERPRINT_CHUNK_BYTES, size));
    const { bytesRead } = await handle.read(first, 0, first.length, 0);
    hash.update(first.subarray(0, bytesRead));
    if (size > FINGERPRINT_CHUNK_BYTES) {
      // As runnable: the last chunk starts after the first one when the file is shorter than two chunks.
      const length = Math.min(FINGERPRINT_CHUNK_BYTES, size - bytesRead);
      const last = Buffer.alloc(length);
      const tail = await handle.read(last, 0, length, size - length);
      hash.update(last.subarray(0, tail.bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

/** A file's `data_hash` under `settings` (its size decides between the SHA-256 and the fingerprint). */
export async function dataHashOfFile(file: string, settings: DataHashSettings): Promise<string> {
  const { size } = await stat(file);
  return fingerprinted(settings, size) ? fingerprintOfFile(file, size) : sha256OfFile(file);
}

/**
 * The `data_hash` of a file whose SHA-256 was computed while it was copied: that SHA-256, or the file's
 * fingerprint when the settings ask for one at its size.
 */
export async function dataHashAfterCopy(settings: DataHashSettings, file: string, sha256: string): Promise<string> {
  if (settings.large_file_hash === "sha256") return sha256;
  const { size } = await stat(file);
  return fingerprinted(settings, size) ? fingerprintOfFile(file, size) : sha256;
}
