import { createReadStream } from "node:fs";
import { lstat, readdir, realpath, rm, stat } from "node:fs/promises";
import path from "node:path";
import { RunnableError } from "../../../core/errors.js";
import type { StoredFile } from "../../../ports/catalog.js";
import type { Freed } from "../../../ports/run-log-store.js";
import { checkRelative, isInside, normalizeRelative } from "../catalog-paths.js";

const missing = (relative: string, area: string): RunnableError =>
  new RunnableError("CATALOG_ERROR", `No file ${relative} in the catalog at ${area}`, {
    hint: "Names are those of the run's catalog entries (the `name` of a data_catalog record).",
  });

/**
 * The file `relative` of the catalog area `area`, refusing absolute paths, `..` and links leading out
 * of the area (the real path must stay inside the area's real path).
 */
export async function readStoredFile(area: string, relative: string, display: string): Promise<StoredFile> {
  checkRelative(relative, "path", display, "run's catalog");
  const target = path.join(area, normalizeRelative(relative));
  const [realArea, realTarget] = await Promise.all([realpath(area).catch(() => null), realpath(target).catch(() => null)]);
  if (realArea === null || realTarget === null) throw missing(relative, display);
  if (!isInside(realArea, realTarget) || realTarget === realArea) {
    throw new RunnableError("CATALOG_ERROR", `Refusing to read ${relative}: it leads outside the run's catalog ${display}`, {
      hint: "Catalog paths are relative to the run's catalog folder and cannot leave it.",
    });
  }
  const info = await stat(realTarget);
  if (!info.isFile()) throw missing(relative, display);
  return { size: info.size, open: () => createReadStream(realTarget, { highWaterMark: 64 * 1024 }) };
}

/** Bytes of the regular files below `folder` (links are not followed). */
export async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  const entries = await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const info = await lstat(path.join(entry.parentPath, entry.name)).catch(() => null);
    total += info?.size ?? 0;
  }
  return total;
}

/** Removes the catalog area of a run (a link in its place is removed, never followed). */
export async function removeArea(area: string): Promise<Freed> {
  const info = await lstat(area).catch(() => null);
  if (!info) return { freedBytes: 0 };
  const freedBytes = info.isDirectory() ? await folderBytes(area) : info.size;
  await rm(area, { recursive: true, force: true });
  return { freedBytes };
}
