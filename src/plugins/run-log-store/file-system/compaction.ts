import { rename } from "node:fs/promises";
import { tryLock, waitForLock } from "../shared/file-lock.js";
import { readWithIdentity, removeIfExists, statOrNull, writeAtomic } from "../shared/fs-utils.js";
import { toJsonText } from "../shared/json-text.js";
import type { RunLog } from "../../../core/run-log.js";
import { collectOrders } from "../shared/run-ops.js";
import { parseJournal } from "./journal.js";
import { type CachedRun, type RunPaths, type StoreIo, applyJournal, catchUp, loadRun, parseSnapshot, touch } from "./run-files.js";

// Compaction (only under the lock): rename the journal aside, write snapshot + rotated journal as the
// new snapshot (atomic rename), delete the rotated journal. Writers keep appending to a fresh journal
// meanwhile; readers see snapshot + rotated + journal, which is a complete log at every moment.

/** Writes the snapshot, then the order of its maps beside it. */
async function writeSnapshot(paths: RunPaths, run: RunLog, io: StoreIo): Promise<{ text: string; snapshotIno: bigint }> {
  const text = toJsonText(run);
  const snapshotIno = await writeAtomic(paths.snapshot, text, io.observe);
  const orders = collectOrders(run);
  if (Object.keys(orders).length > 0) await writeAtomic(paths.order, JSON.stringify(orders), io.observe);
  else await removeIfExists(paths.order);
  return { text, snapshotIno };
}

/** A compaction that died after rotating the journal left it behind: fold it into the snapshot first. */
async function absorbRotated(paths: RunPaths, io: StoreIo): Promise<CachedRun> {
  const snapshot = await readWithIdentity(paths.snapshot);
  const rotated = await readWithIdentity(paths.rotated);
  if (snapshot && rotated) {
    const run = parseSnapshot(snapshot.data.toString("utf8"), paths, await readWithIdentity(paths.order));
    applyJournal(run, parseJournal(rotated.data, paths.rotated, 0), paths.rotated, io);
    await writeSnapshot(paths, run, io);
  }
  await removeIfExists(paths.rotated);
  await touch(paths.journal);
  return loadRun(paths, io, true);
}

async function rotateAndSnapshot(entry: CachedRun, paths: RunPaths, io: StoreIo): Promise<CachedRun> {
  const journal = await statOrNull(paths.journal);
  if (journal) {
    await rename(paths.journal, paths.rotated);
    // Lines appended after our last catch-up (by anyone) are in the rotated file past our offset.
    const tail = journal.ino === entry.journalIno ? await readWithIdentity(paths.rotated, entry.journalOffset) : null;
    if (!tail || tail.ino !== entry.journalIno) return absorbRotated(paths, io);
    applyJournal(entry.run, parseJournal(tail.data, paths.rotated, entry.journalOffset), paths.rotated, io);
  }
  const { text, snapshotIno } = await writeSnapshot(paths, entry.run, io);
  await removeIfExists(paths.rotated);
  const journalIno = await touch(paths.journal);
  return { run: entry.run, snapshotIno, snapshotBytes: Buffer.byteLength(text), journalIno, journalOffset: 0 };
}

/**
 * Compacts a run's journal into its snapshot. With `wait` false it gives up at once when another
 * store instance holds the lock (that one is compacting anyway).
 */
export async function compactRun(entry: CachedRun, paths: RunPaths, io: StoreIo, wait: boolean): Promise<CachedRun> {
  const lock = wait ? await waitForLock(paths.lock) : await tryLock(paths.lock);
  if (!lock) return entry;
  try {
    let current = await catchUp(entry, paths, io, true);
    if (await statOrNull(paths.rotated)) current = await absorbRotated(paths, io);
    return await rotateAndSnapshot(current, paths, io);
  } finally {
    await lock.release();
  }
}
