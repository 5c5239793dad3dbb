import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { messageOf, RunnableError } from "../../../core/errors.js";
import { prepareTarget, tempPathFor } from "../catalog-paths.js";

// The file-system catalog's writes: every file reaches the catalog through a temp file renamed into place.

/**
 * Writes through a temp file renamed over `target`. The temp file sits beside the target, or in
 * `tempDir` (same file system): creating it in a small folder keeps a run folder of tens of thousands
 * of execution logs from paying for every temp entry too.
 */
async function withTemp(target: string, write: (temp: string) => Promise<void>, tempDir?: string): Promise<void> {
  const temp = tempPathFor(target, tempDir);
  try {
    await write(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function ioError(action: string, error: unknown): RunnableError {
  if (error instanceof RunnableError) return error;
  return new RunnableError("CATALOG_ERROR", `Could not ${action}: ${messageOf(error)}`, { cause: error });
}

/**
 * Copies `sourceRoot/relative` to `targetRoot/relative` atomically, keeping its mode; returns its sha256
 * (computed as the bytes pass), or "" when `hashed` is false (the caller identifies the file otherwise).
 */
export async function copyAtomic(sourceRoot: string, targetRoot: string, relative: string, hashed = true): Promise<string> {
  const source = path.join(sourceRoot, relative);
  try {
    const target = await prepareTarget(targetRoot, relative);
    const hash = createHash("sha256");
    await withTemp(target, async (temp) => {
      const hashing = async function* (chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
        for await (const chunk of chunks) {
          if (hashed) hash.update(chunk);
          yield chunk;
        }
      };
      await pipeline(createReadStream(source, { highWaterMark: 256 * 1024 }), hashing, createWriteStream(temp));
      await chmod(temp, (await stat(source)).mode & 0o7777);
    });
    return hashed ? hash.digest("hex") : "";
  } catch (error) {
    throw ioError(`copy ${source} to ${path.join(targetRoot, relative)}`, error);
  }
}

/**
 * Writes `content` to `root/relative` atomically; returns its sha256. `verified` caches checked folders;
 * `tempDir` (created on first use) holds the temp file.
 */
export async function writeCatalogFile(
  root: string,
  relative: string,
  content: string | Uint8Array,
  verified?: Set<string>,
  tempDir?: string,
): Promise<string> {
  try {
    const target = await prepareTarget(root, relative, verified);
    if (tempDir && !verified?.has(tempDir)) {
      await mkdir(tempDir, { recursive: true });
      verified?.add(tempDir);
    }
    await withTemp(target, (temp) => writeFile(temp, content), tempDir);
    return createHash("sha256").update(content).digest("hex");
  } catch (error) {
    throw ioError(`write ${path.join(root, relative)}`, error);
  }
}
