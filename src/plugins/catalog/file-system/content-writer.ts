import { createHash, randomBytes } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { RunnableError, messageOf } from "../../../core/errors.js";
import type { ContentWriter } from "../../../ports/catalog.js";
import { prepareTarget } from "./catalog-files.js";

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
  const temp = path.join(tempDir, `.${path.basename(target)}.runnable-tmp-${randomBytes(6).toString("hex")}`);
  const fd = openSync(temp, "wx", 0o600);
  const hash = createHash("sha256");
  let bytes = 0;
  let open = true;
  // A failed write (a full disk) is kept and reported at commit: the task's output stream goes on.
  let failure: unknown;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    get bytes() {
      return bytes;
    },
    write(chunk) {
      const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      bytes += data.length;
      if (failure !== undefined) return;
      try {
        for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
        hash.update(data);
      } catch (error) {
        failure = error;
      }
    },
    async commit() {
      close();
      if (failure !== undefined) {
        await rm(temp, { force: true });
        throw new RunnableError("CATALOG_ERROR", `Could not write ${target}: ${messageOf(failure)}`, { cause: failure });
      }
      try {
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw new RunnableError("CATALOG_ERROR", `Could not write ${target}: ${messageOf(error)}`, { cause: error });
      }
      const digest = hash.digest("hex");
      onCommit(digest);
      return digest;
    },
    async abort() {
      close();
      await rm(temp, { force: true });
    },
  };
}
