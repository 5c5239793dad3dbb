import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

// Every file the command line reads (pipelines and their dag_definition files, services configs,
// parameters files, dotenv secrets) is read through here: only a regular file, and only up to a
// documented size. `-f /dev/zero` or a FIFO nobody writes to would otherwise hang with memory growing
// without bound (a character device has no end), and a huge file would be parsed whole.

/** The largest pipeline file (or dag_definition, or SDK payload) read: ~200,000 steps; parsing costs a few times its size in memory. */
export const MAX_PIPELINE_BYTES = 64 * 1024 * 1024;
/** The largest parameters file read: its values are recorded with the run and handed to every task. */
export const MAX_PARAMETERS_BYTES = 64 * 1024 * 1024;
/** The largest services config or dotenv secrets file read: these are a few kilobytes; 16 MB leaves room for generated ones. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** The `code` of a file refused for not being a regular file. */
export const NOT_REGULAR = "ERUNNABLE_NOT_REGULAR";
/** The `code` of a file refused for its size. */
export const TOO_LARGE = "ERUNNABLE_TOO_LARGE";

const MB = 1024 * 1024;

/** A refused file as an error with a `code` callers word (see {@link boundedReadFailure}). */
function refused(code: string, message: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, path });
}

function kindOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "not a regular file";
}

function checkStats(stats: Parameters<typeof kindOf>[0] & { isFile(): boolean; size: number }, path: string, limit: number): void {
  if (stats.isDirectory()) throw refused("EISDIR", `${path} is a directory`, path);
  if (!stats.isFile()) throw refused(NOT_REGULAR, `${path} is ${kindOf(stats)}, not a regular file`, path);
  if (stats.size > limit) throw refused(TOO_LARGE, `${path} is ${sizeText(stats.size)}, more than the ${sizeText(limit)} allowed`, path);
}

function sizeText(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB` : `${bytes} bytes`;
}

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before anything can be checked.
const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Reads a regular file of at most `limit` bytes (a file growing while it is read is cut off and refused). */
export async function readBoundedFile(path: string, limit: number): Promise<Buffer> {
  const handle = await open(path, FLAGS);
  try {
    const stats = await handle.stat();
    checkStats(stats, path, limit);
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, limit) + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > limit) throw refused(TOO_LARGE, `${path} grew past the ${sizeText(limit)} allowed while it was read`, path);
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** {@link readBoundedFile}, synchronously (for readers that build a graph synchronously). */
export function readBoundedFileSync(path: string, limit: number): Buffer {
  const fd = openSync(path, FLAGS);
  try {
    const stats = fstatSync(fd);
    checkStats(stats, path, limit);
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, limit) + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    if (filled > limit) throw refused(TOO_LARGE, `${path} grew past the ${sizeText(limit)} allowed while it was read`, path);
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/**
 * Why a bounded read failed, in a few words after the file's name ("is a character device, not a
 * regular file ...", "is 80 MB, more than ..."), or undefined for other errors (not found, permissions).
 */
export function boundedReadFailure(error: unknown): string | undefined {
  const { code, message, path } = error as NodeJS.ErrnoException;
  if (code !== NOT_REGULAR && code !== TOO_LARGE) return undefined;
  const reason = path && message.startsWith(path) ? message.slice(path.length).trim() : message;
  return code === NOT_REGULAR
    ? `${reason}: runnable reads only regular files (write the content to a file first)`
    : `${reason} (split it, or keep large data in the catalog instead)`;
}
