import { lstat, readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Freed } from "../../../ports/run-log-store.js";

/** Removes a run folder and files kept beside it (its lease); returns the bytes they held. */
export async function removeRunFolder(dir: string, ...beside: string[]): Promise<Freed> {
  let freedBytes = 0;
  for (const file of beside) {
    freedBytes += (await lstat(file).catch(() => null))?.size ?? 0;
    await rm(file, { force: true });
  }
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) freedBytes += (await lstat(path.join(entry.parentPath, entry.name)).catch(() => null))?.size ?? 0;
  }
  await rm(dir, { recursive: true, force: true });
  return { freedBytes };
}
