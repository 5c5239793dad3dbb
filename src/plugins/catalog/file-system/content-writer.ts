import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { RunnableError, messageOf } from "../../../core/errors.js";
import type { ContentWriter } from "../../../ports/catalog.js";
import { openTempFileSink } from "../temp-file-sink.js";
import { prepareTarget } from "../catalog-paths.js";

/**
 * Streams content into `root/relative`: bytes go to a temp file (owner-only: execution logs are task
 * output) through synchronous writes, hashed as they come; `commit` renames it into place. Memory use
 * does not depend on the size of the content.
 */
export async function openContentWriter(
  root: string,
  relative: string,
  tempDir: string,
  verified: Set<string>,
  onCommit: (hash: string) => void,
): Promise<Omit<ContentWriter, "commit"> & { commit(): Promise<string> }> {
  const target = await prepareTarget(root, relative, verified);
  if (!verified.has(tempDir)) {
    await mkdir(tempDir, { recursive: true });
    verified.add(tempDir);
  }
  const sink = openTempFileSink(path.join(tempDir, `.${path.basename(target)}.runnable-tmp-${randomBytes(6).toString("hex")}`));
  const hash = createHash("sha256");
  return {
    get bytes() {
      return sink.bytes;
    },
    write(chunk) {
      const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      if (sink.write(data)) hash.update(data);
    },
    async commit() {
      sink.close();
      if (sink.failure !== undefined) {
        await sink.remove();
        throw new RunnableError("CATALOG_ERROR", `Could not write ${target}: ${messageOf(sink.failure)}`, { cause: sink.failure });
      }
      try {
        await rename(sink.path, target);
      } catch (error) {
        await sink.remove();
        throw new RunnableError("CATALOG_ERROR", `Could not write ${target}: ${messageOf(error)}`, { cause: error });
      }
      const digest = hash.digest("hex");
      onCommit(digest);
      return digest;
    },
    abort: () => sink.remove(),
  };
}
