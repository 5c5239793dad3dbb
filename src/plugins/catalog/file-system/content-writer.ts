import { createHash, randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { RunnableError, messageOf } from "../../../core/errors.js";
import type { ContentWriter } from "../../../ports/catalog.js";
import { type TempFileSink, openTempFileSink } from "../temp-file-sink.js";
import { prepareTarget } from "../catalog-paths.js";

/**
 * Streams content into `root/relative`: bytes go to a temp file (owner-only: execution logs are task
 * output) through synchronous writes, hashed as they come; `commit` renames it into place. Memory use
 * does not depend on the size of the content. The temp file is made by the first write: content that
 * never gets any (the execution log of a quiet step, most of them) is created empty in place at
 * `commit` instead: a rename (a thread-pool round trip) and a random name less per step.
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
  let sink: TempFileSink | undefined;
  const opened = (): TempFileSink =>
    (sink ??= openTempFileSink(path.join(tempDir, `.${path.basename(target)}.runnable-tmp-${randomBytes(6).toString("hex")}`)));
  const hash = createHash("sha256");
  const failed = (error: unknown): RunnableError => new RunnableError("CATALOG_ERROR", `Could not write ${target}: ${messageOf(error)}`, { cause: error });
  return {
    get bytes() {
      return sink?.bytes ?? 0;
    },
    write(chunk) {
      const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      if (data.length > 0 && opened().write(data)) hash.update(data);
    },
    async commit() {
      if (sink === undefined) {
        // Nothing to hide while it is written: an empty file is whole as soon as it exists.
        try {
          closeSync(openSync(target, "w", 0o600));
        } catch (error) {
          throw failed(error);
        }
      } else {
        sink.close();
        if (sink.failure !== undefined) {
          await sink.remove();
          throw failed(sink.failure);
        }
        try {
          await rename(sink.path, target);
        } catch (error) {
          await sink.remove();
          throw failed(error);
        }
      }
      const digest = hash.digest("hex");
      onCommit(digest);
      return digest;
    },
    abort: async () => sink?.remove(),
  };
}
