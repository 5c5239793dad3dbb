import { open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import type { RunLog } from "../../../core/run-log.js";
import { lockState, type LockState, STALE_LOCK_MS } from "../shared/file-lock.js";
import { type FileRead, type WriteObserver, readWithIdentity, statOrNull } from "../shared/fs-utils.js";
import { parseRunLogText } from "../shared/run-log-schema.js";
import { type PlacementIndex, indexOfRun, indexOp } from "../shared/placement-index.js";
import { applyOp, describeLocation, restoreOrders } from "../shared/run-ops.js";
import { runNotFound } from "../shared/store-errors.js";
import { foldJournalFile, parseJournal } from "./journal.js";

/** The files of one run: the readable snapshot, the live journal, a journal being compacted, the compaction lock. */
export interface RunPaths {
  runId: string;
  folder: string;
  snapshot: string;
  journal: string;
  rotated: string;
  lock: string;
  /** The engine's order of the snapshot's maps (see `collectOrders`), written at compaction. */
  order: string;
}

/** What the file functions need from the store. */
export interface StoreIo {
  warn: (message: string) => void;
  observe?: WriteObserver;
}

/** The files a view of a run reflects: which snapshot and journal, and how far into the journal. */
export interface FileIdentity {
  snapshotIno: bigint;
  snapshotBytes: number;
  /** Inode of the journal read so far (null: there was none). */
  journalIno: bigint | null;
  /** Bytes of the journal already applied. */
  journalOffset: number;
}

/** A whole run read from its files. */
export interface LoadedRun extends FileIdentity {
  run: RunLog;
}

/** What a writing store keeps of a run: where its logs are (not their content) and the file positions. */
export interface IndexedRun extends FileIdentity {
  index: PlacementIndex;
}

/** The index of a loaded run (its content is dropped). */
export function indexedFrom(loaded: LoadedRun): IndexedRun {
  const { run, ...identity } = loaded;
  return { ...identity, index: indexOfRun(run) };
}

/** The paths of run `runId` inside `folder`. */
export function runPaths(folder: string, runId: string): RunPaths {
  const base = path.join(folder, runId);
  return {
    runId,
    folder,
    snapshot: `${base}.json`,
    journal: `${base}.journal.jsonl`,
    rotated: `${base}.journal.old.jsonl`,
    order: `${base}.order`,
    lock: `${base}.lock`,
  };
}

/** Creates the file if needed and returns its inode. */
export async function touch(file: string): Promise<bigint> {
  const handle = await open(file, "a");
  try {
    return (await handle.stat({ bigint: true })).ino;
  } finally {
    await handle.close();
  }
}

/** Parses a snapshot and gives its maps the order saved beside it (a missing or torn order file is ignored). */
export function parseSnapshot(text: string, paths: RunPaths, order: FileRead | null): RunLog {
  const run = parseRunLogText(text, paths.snapshot);
  if (order) {
    try {
      restoreOrders(run, JSON.parse(order.data.toString("utf8")) as Record<string, Record<string, number>>);
    } catch {
      // written by an older version, or cut short: new entries are then appended in arrival order
    }
  }
  return run;
}

/** The snapshot, parsed (its text is not kept). */
export async function readSnapshot(paths: RunPaths): Promise<{ run: RunLog; ino: bigint; bytes: number }> {
  const snapshot = await readWithIdentity(paths.snapshot);
  if (!snapshot) throw runNotFound(paths.runId, paths.folder);
  const order = await readWithIdentity(paths.order);
  return { run: parseSnapshot(snapshot.data.toString("utf8"), paths, order), ino: snapshot.ino, bytes: snapshot.data.length };
}

/** Applies a journal file to `run` as it is read (see foldJournalFile); what it had to ignore goes to `warnings`. */
export async function foldFile(run: RunLog, file: string, warnings: string[]) {
  const folded = await foldJournalFile(file, (op) => {
    if (!applyOp(run, op)) warnings.push(`Ignored a "${op.op}" update in ${file}: nothing exists at ${describeLocation(op.location)}`);
  });
  for (const offset of folded?.skipped ?? []) warnings.push(`Ignored an unreadable line at byte ${offset} of ${file} (left by an interrupted write)`);
  return folded;
}

/** Snapshot + rotated journal + journal as one run; journals are applied as they are read. Warnings are returned, not given. */
async function assemble(paths: RunPaths): Promise<{ loaded: LoadedRun; warnings: string[] }> {
  const { run, ino, bytes } = await readSnapshot(paths);
  const warnings: string[] = [];
  await foldFile(run, paths.rotated, warnings);
  const journal = await foldFile(run, paths.journal, warnings);
  const loaded = { run, snapshotIno: ino, snapshotBytes: bytes, journalIno: journal?.ino ?? null, journalOffset: journal?.consumed ?? 0 };
  return { loaded, warnings };
}

const sameLock = (a: LockState, b: LockState): boolean => a.state === b.state && (a.state === "free" || a.ino === (b as { ino: bigint }).ino);

/**
 * Reads snapshot + rotated journal + journal into a run. Unless the caller holds the compaction lock,
 * it waits while a compaction runs and retries when one happened during the read, so the three files
 * always belong together.
 */
export async function loadRun(paths: RunPaths, io: StoreIo, holdingLock = false): Promise<LoadedRun> {
  const deadline = Date.now() + STALE_LOCK_MS;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    const careful = !holdingLock && Date.now() < deadline;
    const before = careful ? await lockState(paths.lock) : undefined;
    if (before?.state === "held") {
      await sleep(delay);
      continue;
    }
    const { loaded, warnings } = await assemble(paths);
    if (before) {
      const [after, snapshot] = await Promise.all([lockState(paths.lock), statOrNull(paths.snapshot)]);
      if (!sameLock(before, after) || snapshot?.ino !== loaded.snapshotIno) continue;
    }
    for (const warning of warnings) io.warn(warning);
    return loaded;
  }
}

/**
 * Brings an index up to date: indexes only the journal bytes written since (by anyone); reloads
 * everything when a compaction replaced the files.
 */
export async function catchUp(entry: IndexedRun, paths: RunPaths, io: StoreIo, holdingLock = false): Promise<IndexedRun> {
  const [snapshot, journal] = await Promise.all([statOrNull(paths.snapshot), statOrNull(paths.journal)]);
  if (!snapshot) throw runNotFound(paths.runId, paths.folder);
  const sameJournal = (journal?.ino ?? null) === entry.journalIno;
  if (snapshot.ino !== entry.snapshotIno || !sameJournal) return indexedFrom(await loadRun(paths, io, holdingLock));
  if (!journal || Number(journal.size) <= entry.journalOffset) return entry;
  const read = await readWithIdentity(paths.journal, entry.journalOffset);
  if (!read || read.ino !== entry.journalIno) return indexedFrom(await loadRun(paths, io, holdingLock));
  const parsed = parseJournal(read.data, paths.journal, entry.journalOffset);
  for (const op of parsed.ops) indexOp(entry.index, op);
  entry.journalOffset += parsed.consumed;
  return entry;
}
