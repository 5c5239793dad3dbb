import { open } from "node:fs/promises";
import { RunnableError } from "../../../core/errors.js";
import { type WriteObserver, statOrNull } from "../shared/fs-utils.js";
import { runOpSchema, validated } from "../shared/run-log-schema.js";
import type { RunOp } from "../shared/run-ops.js";

// The journal is JSON Lines, one `{op, location, payload}` per update, each appended with one write.

/** The text of a journal line for `op` (without the newline). */
export function journalLine(op: RunOp): string {
  return JSON.stringify({ op: op.op, location: op.location, payload: op.payload });
}

async function appendOnce(file: string, data: Buffer, observe?: WriteObserver): Promise<bigint> {
  const handle = await open(file, "a");
  try {
    let done = 0;
    while (done < data.length) done += (await handle.write(data, done, data.length - done)).bytesWritten;
    observe?.(file, data.length);
    return (await handle.stat({ bigint: true })).ino;
  } finally {
    await handle.close();
  }
}

/**
 * Appends one line with a single O_APPEND write. When a compaction rotated the journal between our open
 * and our write, the line may have missed the compaction, so it is appended again to the new journal
 * (replaying an update twice gives the same run log).
 */
export async function appendJournalLine(file: string, line: string, observe?: WriteObserver): Promise<void> {
  const data = Buffer.from(`${line}\n`, "utf8");
  for (let attempt = 0; attempt < 20; attempt++) {
    const written = await appendOnce(file, data, observe);
    if ((await statOrNull(file))?.ino === written) return;
  }
  throw new RunnableError("INTERNAL", `Could not append to the run log journal ${file}: it kept being replaced`);
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
  const end = data.lastIndexOf(0x0a) + 1;
  const parsed: ParsedJournal = { ops: [], consumed: end, skipped: [] };
  for (let start = 0; start < end; ) {
    const newline = data.indexOf(0x0a, start);
    const text = data.toString("utf8", start, newline);
    if (text.trim() !== "") {
      const raw = parseLine(text);
      if (raw === undefined) parsed.skipped.push(baseOffset + start);
      else parsed.ops.push(validated<RunOp>(runOpSchema, raw, file, `line at byte ${baseOffset + start}`));
    }
    start = newline + 1;
  }
  return parsed;
}
