import { constants } from "node:fs";
import { access, lstat, stat, statfs } from "node:fs/promises";
import path from "node:path";
import { RunnableError } from "../core/errors.js";
import type { LocalFolder } from "../ports/plugin.js";

// A store or catalog folder is checked before a run starts, without creating anything: the deepest
// part of its path that exists must be a writable directory with some free space, on a file system
// that can hold files. (Node's recursive mkdir loops forever under /proc, and a folder under a file,
// on a read-only mount or on a full disk would otherwise fail half-way through a run.)

/** Below this many free bytes a folder's file system counts as full. */
export const MIN_FREE_BYTES = 64 * 1024;

/** Magic numbers (statfs f_type) of Linux file systems that cannot hold a run's files. */
const VIRTUAL_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x1cd1, "devpts"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0xcafe4a11, "bpf"],
  [0x62656570, "configfs"],
  [0x6165676c, "pstore"],
  [0xde5e81e4, "efivarfs"],
  [0x65735543, "fusectl"],
]);

function refuse(folder: LocalFolder, why: string, hint: string): RunnableError {
  return new RunnableError("CONFIG_INVALID", `${folder.setting} cannot be used: ${folder.path} ${why}`, { hint });
}

const CHOOSE = "choose a folder on a local disk you can write to";

/** The deepest existing part of `folder` (following links), or a refusal when the path cannot lead anywhere. */
async function existingAncestor(folder: LocalFolder): Promise<{ at: string; isDirectory: boolean }> {
  for (let current = folder.path; ; ) {
    try {
      const info = await stat(current);
      return { at: current, isDirectory: info.isDirectory() };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") {
        throw refuse(folder, `cannot be reached (${code ?? "error"} at ${current})`, `${CHOOSE}, or fix the permissions of ${current}`);
      }
      const link = await lstat(current).catch(() => null);
      if (link?.isSymbolicLink()) {
        throw refuse(folder, `leads through ${current}, a symbolic link to a missing target`, `remove or fix the link, or ${CHOOSE}`);
      }
      const parent = path.dirname(current);
      if (parent === current) throw refuse(folder, "has no existing parent folder", CHOOSE);
      current = parent;
    }
  }
}

/** Refuses a folder that is under a file, on a virtual, read-only or full file system, or not writable. */
export async function checkLocalFolder(folder: LocalFolder): Promise<void> {
  const { at, isDirectory } = await existingAncestor(folder);
  if (!isDirectory) {
    const why = at === folder.path ? "is a file, not a folder" : `lies under ${at}, which is a file, not a folder`;
    throw refuse(folder, why, `remove or rename the file, or ${CHOOSE}`);
  }
  const system = await statfs(at).catch(() => null);
  const virtual = system ? VIRTUAL_FILE_SYSTEMS.get(Number(system.type)) : undefined;
  if (virtual) throw refuse(folder, `is on the ${virtual} file system (${at}), which cannot hold files`, CHOOSE);
  try {
    await access(at, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "EROFS" ? `is on a read-only file system (${at})` : `cannot be written: ${at} is not writable (${code ?? "error"})`;
    throw refuse(folder, why, code === "EROFS" ? CHOOSE : `${CHOOSE}, or change the permissions of ${at}`);
  }
  if (system && Number(system.bavail) * Number(system.bsize) < MIN_FREE_BYTES) {
    const free = Number(system.bavail) * Number(system.bsize);
    throw refuse(folder, `is on a full file system (${free} bytes free at ${at})`, `free some space there, or ${CHOOSE}`);
  }
}

/** Checks every folder (each once); see {@link checkLocalFolder}. */
export async function checkLocalFolders(folders: readonly LocalFolder[]): Promise<void> {
  const seen = new Set<string>();
  for (const folder of folders) {
    if (seen.has(folder.path)) continue;
    seen.add(folder.path);
    await checkLocalFolder(folder);
  }
}
