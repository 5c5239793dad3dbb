import { rename } from "node:fs/promises";
import type { RunLog } from "../../../core/run-log.js";
import { tryLock, waitForLock } from "../shared/file-lock.js";
import { writeAtomic, writeAtomicSized } from "../../../io/atomic-file.js";
import { removeIfExists, statOrNull } from "../shared/fs-utils.js";
import { jsonTextPieces } from "../shared/json-text.js";
import { collectOrders } from "../shared/run-ops.js";
import { type FileIdentity, type RunPaths, type StoreIo, foldFile, readSnapshot, touch } from "./run-files.js";

// Compaction (only under the lock): rename the journal aside, write snapshot + rotated journal as the
// new snapshot (atomic rename), delete the rotated journal. Writers keep appending to a fresh journal
// meanwhile (an append that lands in the renamed file is noticed by its writer and made again); readers
// see snapshot + rotated + journal, which is a complete log at every moment.

/** Writes the snapshot, then the order of its maps beside it; returns the snapshot's inode and size. */
async function writeSnapshot(paths: RunPaths, run: RunLog, io: StoreIo): Promise<{ snapshotIno: bigint; snapshotBytes: number }> {
  const snapshot = await writeAtomicSized(paths.snapshot, jsonTextPieces(run), io.observe);
  const orders = collectOrders(run);
  if (Object.keys(orders).length > 0) await writeAtomic(paths.order, JSON.stringify(orders), io.observe);
  else await removeIfExists(paths.order);
  return { snapshotIno: snapshot.ino, snapshotBytes: snapshot.bytes };
}

interface Written {
  snapshotIno: bigint;
  snapshotBytes: number;
  run: RunLog;
}

/** Snapshot + rotated journal as one run (undefined unless both exist); the files' text is not kept. */
async function readFolded(paths: RunPaths, io: StoreIo): Promise<RunLog | undefined> {
  if (!(await statOrNull(paths.snapshot)) || !(await statOrNull(paths.rotated))) return undefined;
  const { run } = await readSnapshot(paths);
  const warnings: string[] = [];
  await foldFile(run, paths.rotated, warnings);
  for (const warning of warnings) io.warn(warning);
  return run;
}

/** Folds the rotated journal into the snapshot and removes it (also what a compaction that died left). */
async function foldRotated(paths: RunPaths, io: StoreIo): Promise<Written | undefined> {
  const run = await readFolded(paths, io);
  const written = run ? { ...(await writeSnapshot(paths, run, io)), run } : undefined;
  await removeIfExists(paths.rotated);
  return written;
}

/** A compaction's result: the new file identity (journal empty) and, when it wrote one, the run it wrote. */
export interface Compacted extends FileIdentity {
  written?: RunLog;
}

/**
 * Compacts a run's journal into its snapshot, or returns undefined when `wait` is false and another
 * store instance holds the lock (that one is compacting).
 */
export async function compactRun(paths: RunPaths, io: StoreIo, wait: boolean): Promise<Compacted | undefined> {
  const lock = wait ? await waitForLock(paths.lock) : await tryLock(paths.lock);
  if (!lock) return undefined;
  try {
    if (await statOrNull(paths.rotated)) await foldRotated(paths, io);
    if (await statOrNull(paths.journal)) await rename(paths.journal, paths.rotated);
    const written = await foldRotated(paths, io);
    const journalIno = await touch(paths.journal);
    if (written) return { snapshotIno: written.snapshotIno, snapshotBytes: written.snapshotBytes, journalIno, journalOffset: 0, written: written.run };
    const snapshot = (await statOrNull(paths.snapshot))!;
    return { snapshotIno: snapshot.ino, snapshotBytes: Number(snapshot.size), journalIno, journalOffset: 0 };
  } finally {
    await lock.release();
  }
}
