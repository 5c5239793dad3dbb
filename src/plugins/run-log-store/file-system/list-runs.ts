import { type FileHandle, open, readdir } from "node:fs/promises";
import path from "node:path";
import { messageOf } from "../../../core/errors.js";
import type { Status } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { RunSummary } from "../../../ports/run-log-store.js";
import { isErrno, readWithIdentity, statOrNull } from "../shared/fs-utils.js";
import { mapLimit } from "../../../core/map-limit.js";
import { leaseFileOf, withStaleness } from "../shared/lease-file.js";
import { parseRunLogText } from "../shared/run-log-schema.js";
import { type RunPaths, type StoreIo, runPaths } from "./run-files.js";

// Listing reads only the top of each snapshot (run fields come before `steps`) and the tail
// (`run_config` comes last), plus status/run_config updates still in a journal.

const HEAD_BYTES = 64 * 1024;
const TAIL_BYTES = 256 * 1024;
const STATUSES = new Set<string>(["CREATED", "TRIGGERED", "PROCESSING", "SUCCESS", "FAIL"]);
const JSON_STRING_OR_NULL = String.raw`(null|"(?:[^"\\\n]|\\.)*")`;

interface BaseSummary {
  status: Status;
  tag: string | null;
  pipeline_file: string | null;
}

/** Summary fields found by position in a 4-space-indented run log, or undefined when the layout differs. */
export function summaryFromText(head: string, tail: string): BaseSummary | undefined {
  const stepsAt = head.indexOf('\n    "steps": ');
  if (stepsAt < 0) return undefined;
  const top = head.slice(0, stepsAt);
  const status = /\n {4}"status": "([A-Z]+)"/.exec(top)?.[1];
  const tag = new RegExp(String.raw`\n {4}"tag": ${JSON_STRING_OR_NULL}`).exec(top)?.[1];
  const configAt = tail.lastIndexOf('\n    "run_config": {');
  if (configAt < 0 || !status || !STATUSES.has(status) || tag === undefined) return undefined;
  const pipeline = new RegExp(String.raw`\n {8}"pipeline_file": ${JSON_STRING_OR_NULL}`).exec(tail.slice(configAt))?.[1];
  if (pipeline === undefined) return undefined;
  return { status: status as Status, tag: JSON.parse(tag) as string | null, pipeline_file: JSON.parse(pipeline) as string | null };
}

async function readSlice(handle: FileHandle, start: number, length: number): Promise<string> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, start);
  return buffer.toString("utf8", 0, bytesRead);
}

async function quickSummary(file: string, size: number): Promise<BaseSummary | undefined> {
  const handle = await open(file, "r");
  try {
    const head = await readSlice(handle, 0, Math.min(size, HEAD_BYTES));
    const tailStart = Math.max(0, size - TAIL_BYTES);
    return summaryFromText(head, await readSlice(handle, tailStart, size - tailStart));
  } finally {
    await handle.close();
  }
}

async function fullSummary(file: string): Promise<BaseSummary> {
  const read = await readWithIdentity(file);
  const run = parseRunLogText(read?.data.toString("utf8") ?? "", file);
  return { status: run.status, tag: run.tag, pipeline_file: run.run_config.pipeline_file };
}

/** Applies status and run_config updates still waiting in the journals (they are few once a run is flushed). */
async function journalUpdates(paths: RunPaths, base: BaseSummary): Promise<BaseSummary> {
  const result = { ...base };
  for (const file of [paths.rotated, paths.journal]) {
    const text = (await readWithIdentity(file))?.data.toString("utf8") ?? "";
    for (const line of text.split("\n")) {
      if (!line.startsWith('{"op":"status"') && !line.startsWith('{"op":"run_config"')) continue;
      try {
        const op = JSON.parse(line) as { op: string; payload: { pipeline_file?: unknown } | string };
        if (op.op === "status" && typeof op.payload === "string" && STATUSES.has(op.payload)) result.status = op.payload as Status;
        if (op.op === "run_config" && typeof op.payload === "object") {
          result.pipeline_file = typeof op.payload.pipeline_file === "string" ? op.payload.pipeline_file : null;
        }
      } catch {
        // a torn line: the update is not complete yet
      }
    }
  }
  return result;
}

async function summarise(paths: RunPaths, known: RunSummary | undefined, listed: ReadonlySet<string>): Promise<RunSummary | null> {
  // Journals the folder's listing does not hold are not looked for (most finished runs have none).
  const [snapshot, journal, rotated] = await Promise.all(
    [paths.snapshot, paths.journal, paths.rotated].map((file, i) => (i === 0 || listed.has(path.basename(file)) ? statOrNull(file) : null)),
  );
  if (!snapshot?.isFile()) return null;
  const changed = Math.round([snapshot, journal, rotated].reduce((max, stats) => Math.max(max, Number(stats?.mtimeMs ?? 0)), 0));
  // The caller's summary of an unchanged run is still true (only whether a live run went stale may differ).
  if (known?.updated_ms === changed) {
    const { run_id, status, tag, pipeline_file, updated_ms } = known;
    return withStaleness({ run_id, status, tag, pipeline_file, updated_ms }, leaseFileOf(paths.folder, paths.runId));
  }
  const base = (await quickSummary(paths.snapshot, Number(snapshot.size))) ?? (await fullSummary(paths.snapshot));
  const hasJournal = Number(journal?.size ?? 0n) > 0 || rotated !== null;
  const summary = hasJournal ? await journalUpdates(paths, base) : base;
  return withStaleness({ run_id: paths.runId, ...summary, updated_ms: changed }, leaseFileOf(paths.folder, paths.runId));
}

/**
 * Summaries of every run in `folder`, newest change first; unreadable runs are skipped with a warning.
 * A run whose files have not changed since the caller's `known` summary of it is not read again.
 */
export async function listRuns(folder: string, io: StoreIo, known?: ReadonlyMap<string, RunSummary>): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if (isErrno(error, "ENOENT", "ENOTDIR")) return [];
    throw error;
  }
  const ids = names.filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -".json".length));
  const listed = new Set(names);
  const summaries = await mapLimit(
    ids.filter((id) => validateRunId(id) === undefined),
    16,
    (id) =>
      summarise(runPaths(folder, id), known?.get(id), listed).catch((error: unknown) => {
        io.warn(`Left run "${id}" out of the list: ${messageOf(error)}`);
        return null;
      }),
  );
  return summaries.filter((summary) => summary !== null).sort((a, b) => (b.updated_ms ?? 0) - (a.updated_ms ?? 0));
}
