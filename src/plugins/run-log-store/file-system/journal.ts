import { closeSync, fstatSync, ftruncateSync, openSync, statSync, writeSync } from "node:fs";
import { RunnableError } from "../../../core/errors.js";
import { openIfExists, type WriteObserver } from "../shared/fs-utils.js";
import { isOpShape } from "../shared/run-log-shape.js";
import { runOpSchema, validated } from "../shared/run-log-schema.js";
import type { RunOp } from "../shared/run-ops.js";

// The journal is JSON Lines, one `{op, location, payload}` per update, each appended with one write.

/**
 * The text of a journal line for `op` (without the newline): `JSON.stringify({op, location, seq,
 * payload})`, put together from its parts so that the location's JSON (`location`) serves the caller too.
 */
export function journalLine(op: RunOp, location = JSON.stringify(op.location)): string {
  const seq = "seq" in op && op.seq !== undefined ? `,"seq":${JSON.stringify(op.seq)}` : "";
  return `{"op":${JSON.stringify(op.op)},"location":${location}${seq},"payload":${JSON.stringify(op.payload)}}`;
}

/** Where the journal stood right after an append. */
export interface Appended {
  /** Inode of the journal the line landed in. */
  ino: bigint;
  /** Journal size after the write (includes lines other writers appended meanwhile). */
  size: number;
  /** Bytes of our line (with its newline). */
  bytes: number;
}

/** Appends journal lines through descriptors kept open per journal file. */
export interface JournalAppender {
  /** Appends one line (one O_APPEND write); see {@link createJournalAppender}. */
  append(file: string, line: string): Appended;
  /** Closes the descriptor of `file`, if open (after a compaction, a flush, a cache eviction). */
  close(file: string): void;
}

/**
 * Appends with synchronous writes on a descriptor kept open per journal: a few microseconds each,
 * far cheaper than opening the file and a thread-pool round trip per update. When a compaction
 * rotated the journal since the descriptor was opened, the line may have missed the compaction, so it
 * is appended again to the new journal (replaying an update twice gives the same run log). The size
 * the journal had after our last append stands for its size before the next one (see writeWhole).
 */
export function createJournalAppender(observe?: WriteObserver): JournalAppender {
  const open = new Map<string, { fd: number; ino: bigint; size: number }>();
  const close = (file: string): void => {
    const found = open.get(file);
    open.delete(file);
    if (found) closeSync(found.fd);
  };
  return {
    append(file, line) {
      const data = Buffer.allocUnsafe(Buffer.byteLength(line, "utf8") + 1);
      data[data.write(line, 0, "utf8")] = 0x0a;
      for (let attempt = 0; attempt < 20; attempt++) {
        let target = open.get(file);
        if (!target) {
          const fd = openSync(file, "a");
          const stat = fstatSync(fd, { bigint: true });
          target = { fd, ino: stat.ino, size: Number(stat.size) };
          open.set(file, target);
        }
        writeWhole(target.fd, data, file, target.size);
        observe?.(file, data.length);
        const now = statSync(file, { bigint: true, throwIfNoEntry: false });
        if (now?.ino === target.ino) {
          target.size = Number(now.size);
          return { ino: now.ino, size: target.size, bytes: data.length };
        }
        close(file);
      }
      throw new RunnableError("INTERNAL", `Could not append to the run log journal ${file}: it kept being replaced`);
    },
    close,
  };
}

/**
 * Writes `data` at the end of the journal, all of it or none: a write cut short (a full disk writes
 * what fits, then fails) is cut off again, so the journal never ends in a torn line. Only what this
 * write added is removed: the journal must be `before` (its size after our previous append) plus what
 * we wrote. When another writer appended meanwhile, the torn piece stays (readers skip it).
 */
function writeWhole(fd: number, data: Buffer, file: string, before: number): void {
  let done = 0;
  try {
    while (done < data.length) {
      const wrote = writeSync(fd, data, done, data.length - done);
      if (wrote === 0) throw Object.assign(new Error(`ENOSPC: no space left on device, write (${file})`), { code: "ENOSPC", syscall: "write", path: file });
      done += wrote;
    }
  } catch (error) {
    if (done > 0 && fstatSync(fd).size === before + done) ftruncateSync(fd, before);
    throw error;
  }
}

/** The updates found in a piece of journal. */
export interface ParsedJournal {
  ops: RunOp[];
  /** Bytes of complete lines (a torn last line is left for later). */
  consumed: number;
  /** Byte offsets of lines that could not be read (interrupted writes). */
  skipped: number[];
}

const LINE_START = '{"op":';

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A torn write followed by a complete line: the complete line starts at a later `{"op":`.
    for (let at = text.indexOf(LINE_START, 1); at > 0; at = text.indexOf(LINE_START, at + 1)) {
      try {
        return JSON.parse(text.slice(at));
      } catch {
        // keep looking
      }
    }
    return undefined;
  }
}

/** Parses the complete lines of `data` (read from `file` at byte `baseOffset`); invalid updates are RUN_LOG_CORRUPT. */
export function parseJournal(data: Buffer, file: string, baseOffset: number): ParsedJournal {
  const parsed: ParsedJournal = { ops: [], consumed: 0, skipped: [] };
  parsed.consumed = eachLine(
    data,
    file,
    baseOffset,
    (op) => parsed.ops.push(op),
    (offset) => parsed.skipped.push(offset),
  );
  return parsed;
}

/** Calls `take` with the update of each complete line of `data`; returns the bytes of complete lines. */
function eachLine(data: Buffer, file: string, baseOffset: number, take: (op: RunOp) => void, skip: (offset: number) => void): number {
  const end = data.lastIndexOf(0x0a) + 1;
  for (let start = 0; start < end; ) {
    const newline = data.indexOf(0x0a, start);
    const text = data.toString("utf8", start, newline);
    if (text.trim() !== "") {
      const raw = parseLine(text);
      if (raw === undefined) skip(baseOffset + start);
      else take(isOpShape(raw) ? (raw as RunOp) : validated<RunOp>(runOpSchema, raw, file, `line at byte ${baseOffset + start}`));
    }
    start = newline + 1;
  }
  return end;
}

const READ_BYTES = 4 << 20;

/** What {@link foldJournalFile} read. */
export interface FoldedJournal {
  ino: bigint;
  /** Bytes of complete lines. */
  consumed: number;
  /** Byte offsets of lines that could not be read (interrupted writes). */
  skipped: number[];
}

/**
 * Reads a journal file a few megabytes at a time and hands each update to `take` as soon as its line
 * is complete: neither the file nor its superseded updates are held in memory (a map of 100,000 items
 * journals hundreds of megabytes). Returns null when the file does not exist.
 */
export async function foldJournalFile(file: string, take: (op: RunOp) => void): Promise<FoldedJournal | null> {
  const handle = await openIfExists(file);
  if (!handle) return null;
  try {
    const { ino, size } = await handle.stat({ bigint: true });
    const folded: FoldedJournal = { ino, consumed: 0, skipped: [] };
    let carry = Buffer.alloc(0);
    for (let position = 0; position < Number(size); ) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_BYTES, Number(size) - position));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      const used = eachLine(data, file, folded.consumed, take, (offset) => folded.skipped.push(offset));
      folded.consumed += used;
      carry = Buffer.from(data.subarray(used));
      position += bytesRead;
    }
    return folded;
  } finally {
    await handle.close();
  }
}
