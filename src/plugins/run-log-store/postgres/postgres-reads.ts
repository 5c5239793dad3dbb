import type { BranchLog, LogLocation, RunLog, StepLog } from "../../../core/run-log.js";
import type { RunHeader, RunSummary } from "../../../ports/run-log-store.js";
import { type StoredEntity, assembleEntities } from "../shared/entity-tree.js";
import { runFromHeader } from "../shared/run-ops.js";
import { type Database, query } from "./database.js";

/** Run `runId` as one statement (one snapshot: the run and every record of it at one moment); undefined when there is none. */
export async function readPostgresRun(db: Database, runId: string, warn: (message: string) => void): Promise<RunLog | undefined> {
  const s = db.schema;
  const { rows } = await query(
    db,
    `SELECT r.header, r.status, r.parameters, r.run_config,
         (SELECT coalesce(json_agg(json_build_array(e.kind, e.location, e.seq, e.ord, e.data)), '[]'::json) FROM ${s}.runnable_entities e WHERE e.run_id = r.run_id)
       FROM ${s}.runnable_runs r WHERE r.run_id = $1`,
    [runId],
    `read run "${runId}"`,
  );
  const row = rows[0];
  if (!row) return undefined;
  const run = runFromHeader({
    ...(row[0] as RunHeader),
    status: row[1] as RunLog["status"],
    parameters: row[2] as RunLog["parameters"],
    run_config: row[3] as RunLog["run_config"],
  });
  const entities = (row[4] as [string, string, number | null, number, StepLog | BranchLog][]).map(
    ([kind, location, seq, ord, data]): StoredEntity => ({
      kind: kind === "s" ? "step" : "branch",
      location: JSON.parse(location) as LogLocation,
      data,
      order: seq === null ? 2n ** 62n + BigInt(ord) : BigInt(seq),
      tie: String(ord).padStart(20, "0"),
    }),
  );
  return assembleEntities(run, entities, (entity) =>
    warn(`run "${runId}": ignored the ${entity.kind} log "${entity.data.internal_name}": the log it belongs in does not exist`),
  );
}

/**
 * Every run, most recently changed first: one scan of the runs table's index (no run log is read), then
 * the leases of the runs still PROCESSING (a few) to tell the stale ones.
 */
export async function listPostgresRuns(db: Database): Promise<RunSummary[]> {
  const s = db.schema;
  const [{ rows }, stale] = await Promise.all([
    query(
      db,
      `SELECT run_id, status, tag, pipeline_file, greatest(updated_ms, changed_ms)::float8 FROM ${s}.runnable_runs ORDER BY updated_ms DESC, run_id DESC`,
      [],
      "list the runs",
    ),
    query(
      db,
      `SELECT l.run_id FROM ${s}.runnable_leases l JOIN ${s}.runnable_runs r ON r.run_id = l.run_id WHERE r.status = 'PROCESSING' AND ${s}.runnable_lease_stale(l)`,
      [],
      "list the runs' leases",
    ),
  ]);
  const staleIds = new Set(stale.rows.map((row) => row[0] as string));
  const summaries = rows.map((row): RunSummary => {
    const summary: RunSummary = {
      run_id: row[0] as string,
      status: row[1] as RunSummary["status"],
      tag: row[2] as string | null,
      pipeline_file: row[3] as string | null,
      updated_ms: row[4] as number,
    };
    if (staleIds.has(summary.run_id)) summary.stale = true;
    return summary;
  });
  // Live runs change without their own fields changing: move them up (the list is nearly sorted already).
  return summaries.sort((a, b) => (b.updated_ms ?? 0) - (a.updated_ms ?? 0));
}
