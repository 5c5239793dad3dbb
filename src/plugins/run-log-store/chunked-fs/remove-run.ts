import { lstat, readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Freed } from "../../../ports/run-log-store.js";

/** Removes a run folder and returns the bytes its files held. */
export async function removeRunFolder(dir: string): Promise<Freed> {
  let freedBytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) freedBytes += (await lstat(path.join(entry.parentPath, entry.name)).catch(() => null))?.size ?? 0;
  }
  await rm(dir, { recursive: true, force: true });
  return { freedBytes };
}
