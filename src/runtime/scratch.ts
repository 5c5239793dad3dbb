import type { Dirent } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, unlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { processAlive } from "../io/process-alive.js";

// Files that hold secrets or parameters while a task runs (shell environment dumps, the Python
// channel) live in a private folder per CLI process: <tmp>/runnable-<uid>/p<pid>-<random>/, mode 0700.
// Each attempt gets a subfolder emptied when it ends (and kept for a later attempt: making and removing
// folders costs more than the files in them); the whole folder goes at exit; folders of processes that
// died without cleaning up are removed by the next run or retry.

function root(): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return path.join(os.tmpdir(), `runnable-${uid}`);
}

/** Removes the scratch folders of processes (on this host) that are gone. */
export async function sweepScratch(): Promise<void> {
  const names = await readdir(root()).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(/^p(\d+)-/.exec(name)?.[1] ?? Number.NaN);
      if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) await rm(path.join(root(), name), { recursive: true, force: true });
    }),
  );
}

/** Emptied attempt folders kept for reuse at most (more concurrent attempts than this remove theirs). */
const KEPT_FOLDERS = 64;

/** A process's private scratch area: attempt folders on demand, all removed by `dispose`. */
export interface Scratch {
  attemptDir(): Promise<string>;
  /** Empties an attempt's folder (in the background) and keeps it for the next attempt that asks. */
  releaseDir(dir: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Creates this process's scratch area lazily (nothing is made until an attempt asks); `made` hears of the folder. */
export function createScratch(made: (folder: string) => void = () => undefined): Scratch {
  let base: Promise<string> | undefined;
  const make = async (): Promise<string> => {
    await mkdir(root(), { recursive: true, mode: 0o700 });
    const folder = await mkdtemp(path.join(root(), `p${process.pid}-`));
    made(folder);
    return folder;
  };
  const free: string[] = [];
  const emptying = new Set<Promise<void>>();
  const empty = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (entries === undefined || free.length >= KEPT_FOLDERS) return rm(dir, { recursive: true, force: true });
    const remove = (entry: Dirent) =>
      entry.isDirectory() ? rm(path.join(dir, entry.name), { recursive: true, force: true }) : unlink(path.join(dir, entry.name));
    await Promise.all(entries.map(remove));
    if (base !== undefined) free.push(dir);
  };
  return {
    attemptDir: async () => free.pop() ?? mkdtemp(path.join(await (base ??= make()), "a-")),
    // The attempt does not wait for its folder to be emptied (removing files is slow on a busy disk).
    releaseDir: async (dir) => {
      const done: Promise<void> = empty(dir)
        .catch(() => rm(dir, { recursive: true, force: true }))
        .catch(() => undefined)
        .finally(() => emptying.delete(done));
      emptying.add(done);
    },
    dispose: async () => {
      await Promise.all(emptying);
      free.length = 0;
      if (base) await rm(await base, { recursive: true, force: true });
      base = undefined;
    },
  };
}
