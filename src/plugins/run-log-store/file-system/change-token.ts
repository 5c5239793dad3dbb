import type { BigIntStats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { isErrno } from "../shared/fs-utils.js";

// A cheap "has anything changed?" for the folder store: snapshots, order files and leases are only
// ever replaced by rename (or created, removed), which changes the folder's mtime; journals are
// appended in place, so their own size and mtime are part of the token. Like git's "racily clean"
// index entries, a time too close to now is not trusted: a second change within the file system's
// timestamp granularity (coarse kernel clock, 1 s on some file systems) would leave it unchanged.

/** Times closer to now than this make the token unknown (null). */
export const RACY_MS = 2000;

const isJournal = (name: string): boolean => name.endsWith(".journal.jsonl") || name.endsWith(".journal.old.jsonl");

const racy = (mtimeMs: number, now: number): boolean => mtimeMs > now - RACY_MS;

/** The change token of a folder store (see `RunLogStore.changeToken`); null when it is too fresh to trust. */
export async function folderChangeToken(folder: string, now: number = Date.now()): Promise<string | null> {
  let names: string[];
  let folderStats: BigIntStats;
  try {
    folderStats = await stat(folder, { bigint: true });
    names = await readdir(folder);
  } catch (error) {
    if (isErrno(error, "ENOENT", "ENOTDIR")) return "none";
    throw error;
  }
  if (racy(Number(folderStats.mtimeMs), now)) return null;
  const parts = [`${folderStats.ino}:${folderStats.mtimeNs}:${names.length}`];
  for (const name of names.filter(isJournal).sort()) {
    const journal = await stat(path.join(folder, name), { bigint: true }).catch(() => null);
    // A journal that went away between the listing and now: the folder is changing.
    if (!journal || racy(Number(journal.mtimeMs), now)) return null;
    parts.push(`${name}:${journal.size}:${journal.mtimeNs}`);
  }
  return parts.join("|");
}
