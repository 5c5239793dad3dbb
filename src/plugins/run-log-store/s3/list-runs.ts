import { messageOf } from "../../../core/errors.js";
import { validateRunId } from "../../../core/run-id.js";
import type { RunSummary } from "../../../ports/run-log-store.js";
import { LEASE_OBJECT, RUN_OBJECT, parseRunRecord } from "./run-objects.js";
import { judgeLease } from "./s3-lease.js";
import type { StoreObjects } from "./s3-objects.js";

const PARALLEL = 32;

/** One run's line: its record (and, while PROCESSING, its lease); null when the folder holds no run. */
async function summarise(objects: StoreObjects, runId: string): Promise<RunSummary | null> {
  const dir = `${objects.access.base}${runId}/`;
  const read = await objects.get(`${dir}${RUN_OBJECT}`, `read run "${runId}"`);
  if (!read) return null;
  const record = parseRunRecord(read.text, `${dir}${RUN_OBJECT}`);
  const summary: RunSummary = {
    run_id: runId,
    status: record.status,
    tag: record.tag,
    pipeline_file: record.run_config.pipeline_file,
    updated_ms: record._updated_ms ?? read.modifiedMs,
  };
  if (record.status !== "PROCESSING") return summary;
  const lease = await objects.get(`${dir}${LEASE_OBJECT}`, `read the lease of run "${runId}"`);
  if (lease && judgeLease(lease, objects.access.serverNow()).state === "stale") summary.stale = true;
  return summary;
}

/** Every run under the store's prefix (one listing, then each run record read, a bounded number at once), most recently changed first. */
export async function listS3Runs(objects: StoreObjects, warn: (message: string) => void): Promise<RunSummary[]> {
  const base = objects.access.base;
  const { prefixes } = await objects.list(base, "list the runs", "/");
  const ids = prefixes.map((prefix) => prefix.slice(base.length, -1)).filter((id) => validateRunId(id) === undefined);
  const summaries: (RunSummary | null)[] = new Array(ids.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const index = next++;
      const id = ids[index]!;
      summaries[index] = await summarise(objects, id).catch((error: unknown) => {
        warn(`Left run "${id}" out of the list: ${messageOf(error)}`);
        return null;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, ids.length) }, worker));
  return summaries.filter((summary): summary is RunSummary => summary !== null).sort((a, b) => (b.updated_ms ?? 0) - (a.updated_ms ?? 0));
}
