import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { messageOf } from "../../../core/errors.js";
import type { RunLog } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { RunSummary } from "../../../ports/run-log-store.js";
import { isErrno, readWithIdentity, statOrNull } from "../shared/fs-utils.js";
import { mapLimit } from "../../../core/map-limit.js";
import { parseJson, runHeaderFileSchema, validated } from "../shared/run-log-schema.js";
import { leaseFileOf, withStaleness } from "../shared/lease-file.js";
import { RUN_FILE } from "./chunk-names.js";

async function summarise(folder: string, runId: string): Promise<RunSummary | null> {
  const dir = path.join(folder, runId);
  const file = path.join(dir, RUN_FILE);
  const [read, folderStats] = await Promise.all([readWithIdentity(file), statOrNull(dir)]);
  if (!read) return null;
  const run = validated<RunLog>(runHeaderFileSchema, parseJson(read.data.toString("utf8"), file), file);
  // Every write renames a file into the run folder, so the folder's mtime is the time of the last change.
  const updated = Number(folderStats?.mtimeMs ?? 0);
  const summary = { run_id: runId, status: run.status, tag: run.tag, pipeline_file: run.run_config.pipeline_file, updated_ms: Math.round(updated) };
  return withStaleness(summary, leaseFileOf(folder, runId));
}

/** Summaries of every run folder in `folder` (reading only each `RunLog.json`), newest change first. */
export async function listChunkedRuns(folder: string, warn: (message: string) => void): Promise<RunSummary[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isErrno(error, "ENOENT", "ENOTDIR")) return [];
    throw error;
  }
  const ids = entries.filter((entry) => entry.isDirectory() && validateRunId(entry.name) === undefined).map((entry) => entry.name);
  const summaries = await mapLimit(ids, 16, (id) =>
    summarise(folder, id).catch((error: unknown) => {
      warn(`Left run "${id}" out of the list: ${messageOf(error)}`);
      return null;
    }),
  );
  return summaries.filter((summary) => summary !== null).sort((a, b) => (b.updated_ms ?? 0) - (a.updated_ms ?? 0));
}
