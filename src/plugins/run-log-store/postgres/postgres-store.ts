import { createHash, randomBytes } from "node:crypto";
import type { BranchLog, LogLocation, RunLog, StepLog } from "../../../core/run-log.js";
import type { PluginContext } from "../../../ports/plugin.js";
import type { RunHeader, RunLogStore, RunSummary } from "../../../ports/run-log-store.js";
import { type StoredEntity, assembleEntities, entityId, parentId } from "../shared/entity-tree.js";
import { checkWritable } from "../shared/run-log-schema.js";
import { branchOp, runFromHeader, stepOp } from "../shared/run-ops.js";
import { cloneJson } from "../../../core/parameters.js";
import { misplacedWrite, runExists, runNotFound } from "../shared/store-errors.js";
import { clientConfig, redactUrl } from "./connection.js";
import { type Database, openDatabase } from "./database.js";
import type { PostgresRunLogStoreConfig } from "./index.js";
import { acquirePostgresLease, leaseStateOf } from "./leases.js";
import { NOW_MS } from "./migrations.js";
import { createWriteBatcher } from "./write-batcher.js";

const keyOf = (id: string): string => createHash("sha256").update(id).digest("base64url");

/** The header fields kept in their own columns or records; the rest is stored as `header`. */
function splitHeader(run: RunLog): { header: Record<string, unknown>; parameters: unknown; runConfig: unknown } {
  const { steps: _steps, status: _status, parameters, run_config, ...header } = run;
  return { header, parameters, runConfig: run_config };
}

/** Where descendants of step `name` at `location` sit: their location JSON starts with this. */
function descendantPrefix(location: LogLocation, name: string): string {
  const outer = JSON.stringify(location).slice(0, -1);
  return `${outer}${location.length > 0 ? "," : ""}[${JSON.stringify(name)},`;
}

/** A postgres store; `close` ends its connections (a process exits without it once they are idle). */
export type PostgresRunLogStore = RunLogStore & { close(): Promise<void> };

/** The `postgres` run log store (see docs/stores.md): runs, steps and branches as rows; one transaction per write. */
export function createPostgresRunLogStore(config: PostgresRunLogStoreConfig, context: PluginContext): PostgresRunLogStore {
  const { config: connection, server } = clientConfig(config.connection_url, context.env);
  const db = openDatabase({
    config: connection,
    server,
    schema: config.schema,
    poolSize: config.pool_size,
    retrySeconds: config.retry_seconds,
    warn: context.warn,
  });
  const s = db.schema;
  const where = `the postgres run log store (${server.where})`;
  const writeEntity = createWriteBatcher(db);

  const updateRun = async (runId: string, column: "status" | "parameters" | "run_config", value: unknown): Promise<void> => {
    const { rowCount } = await db.query(
      `UPDATE ${s}.runnable_runs SET ${column} = $2, updated_ms = ${NOW_MS}, changed_ms = ${NOW_MS} WHERE run_id = $1`,
      [runId, column === "status" ? value : JSON.stringify(value)],
      `set the ${column} of run "${runId}"`,
    );
    if (rowCount === 0) throw runNotFound(runId, where);
  };

  const putEntity = async (
    runId: string,
    kind: "step" | "branch",
    location: LogLocation,
    name: string,
    data: unknown,
    seq: number | undefined,
  ): Promise<void> => {
    const parent = parentId(kind, location);
    const outcome = await writeEntity(
      [
        runId,
        keyOf(entityId(kind, location, name)),
        parent === undefined ? null : keyOf(parent),
        kind === "step" ? "s" : "b",
        JSON.stringify(location),
        name,
        seq === undefined ? null : Math.max(0, Math.floor(seq)),
        JSON.stringify(data),
      ],
      `write ${kind} log "${name}" of run "${runId}"`,
    );
    if (outcome === 1) throw runNotFound(runId, where);
    if (outcome === 2) {
      const missing = kind === "step" ? "there is no branch log at that location" : `there is no step log "${location[location.length - 1]?.[0]}" to hold it`;
      throw misplacedWrite(runId, `cannot put ${kind} log "${name}": ${missing}`);
    }
  };

  const create = async (header: RunHeader): Promise<void> => {
    const run = runFromHeader(header);
    checkWritable(header.run_id, "run", run);
    const { header: fields, parameters, runConfig } = splitHeader(run);
    // Idempotent under retries (the statement is sent again with the same token): a row this call
    // created is not "another run with that id".
    const creator = randomBytes(9).toString("base64url");
    const { rows } = await db.query(
      `WITH made AS (
         INSERT INTO ${s}.runnable_runs (run_id, status, tag, pipeline_file, header, parameters, run_config, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_id) DO NOTHING RETURNING created_by)
       SELECT created_by FROM made UNION ALL SELECT created_by FROM ${s}.runnable_runs WHERE run_id = $1 LIMIT 1`,
      [
        run.run_id,
        run.status,
        run.tag,
        run.run_config.pipeline_file ?? null,
        JSON.stringify(fields),
        JSON.stringify(parameters),
        JSON.stringify(runConfig),
        creator,
      ],
      `create run "${run.run_id}"`,
    );
    if (rows[0]?.[0] !== creator) throw runExists(run.run_id, where);
  };

  const get = async (runId: string): Promise<RunLog> => {
    // One statement, one snapshot: the run and every record of it as they were at one moment.
    const { rows } = await db.query(
      `SELECT r.header, r.status, r.parameters, r.run_config,
         (SELECT coalesce(json_agg(json_build_array(e.kind, e.location, e.seq, e.ord, e.data)), '[]'::json) FROM ${s}.runnable_entities e WHERE e.run_id = r.run_id)
       FROM ${s}.runnable_runs r WHERE r.run_id = $1`,
      [runId],
      `read run "${runId}"`,
    );
    const row = rows[0];
    if (!row) throw runNotFound(runId, where);
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
      context.warn(`run "${runId}": ignored the ${entity.kind} log "${entity.data.internal_name}": the log it belongs in does not exist`),
    );
  };

  return {
    type: "postgres",
    recordedConfig: { ...(config.connection_url ? { connection_url: redactUrl(config.connection_url) } : {}), schema: config.schema },
    traits: {
      persistent: true,
      sharing: "server",
      leases: true,
      server: {
        address: config.connection_url ?? "",
        addressSetting: "connection_url",
        credentialVariables: ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE"],
      },
    },
    create,
    exists: async (runId) => (await db.query(`SELECT 1 FROM ${s}.runnable_runs WHERE run_id = $1`, [runId], `look up run "${runId}"`)).rowCount > 0,
    get,
    setStatus: async (runId, status) => {
      checkWritable(runId, "op", { op: "status", location: [], payload: status });
      await updateRun(runId, "status", status);
    },
    setParameters: async (runId, parameters) => {
      checkWritable(runId, "op", { op: "parameters", location: [], payload: cloneJson(parameters) });
      await updateRun(runId, "parameters", parameters);
    },
    setRunConfig: async (runId, runConfig) => {
      checkWritable(runId, "op", { op: "run_config", location: [], payload: cloneJson(runConfig) });
      await updateRun(runId, "run_config", runConfig);
    },
    putStep: async (runId, location, step, seq) => {
      const op = stepOp(location, step);
      checkWritable(runId, "op", op);
      const { branches: _branches, ...data } = op.payload;
      await putEntity(runId, "step", op.location, op.payload.internal_name, { ...data, branches: {} }, seq);
    },
    putBranch: async (runId, location, branch, seq) => {
      const op = branchOp(location, branch);
      checkWritable(runId, "op", op);
      if (op.location.length === 0) throw misplacedWrite(runId, `cannot put branch log "${op.payload.internal_name}": its location is empty`);
      const key = op.location[op.location.length - 1]![1];
      await putEntity(runId, "branch", op.location, key, { ...op.payload, steps: {} }, seq);
    },
    removeStep: async (runId, location, internalName) => {
      const { rows } = await db.query(
        `WITH run AS (UPDATE ${s}.runnable_runs SET changed_ms = ${NOW_MS} WHERE run_id = $1 RETURNING run_id),
              gone AS (DELETE FROM ${s}.runnable_entities e USING run WHERE e.run_id = run.run_id AND (e.key = $2 OR starts_with(e.location, $3)) RETURNING 1)
         SELECT (SELECT count(*) FROM run), (SELECT count(*) FROM gone)`,
        [runId, keyOf(entityId("step", location, internalName)), descendantPrefix(location, internalName)],
        `remove step log "${internalName}" of run "${runId}"`,
      );
      if (Number(rows[0]?.[0]) === 0) throw runNotFound(runId, where);
    },
    list: () => listRuns(db),
    delete: async (runId) => {
      const { rows } = await db.query(
        `WITH sizes AS (SELECT coalesce(sum(octet_length(data::text) + octet_length(location)), 0) AS bytes FROM ${s}.runnable_entities WHERE run_id = $1),
              gone AS (DELETE FROM ${s}.runnable_runs WHERE run_id = $1 RETURNING octet_length(header::text) + octet_length(parameters::text) + octet_length(run_config::text) AS bytes),
              lease AS (DELETE FROM ${s}.runnable_leases WHERE run_id = $1 AND EXISTS (SELECT 1 FROM gone))
         SELECT (SELECT count(*) FROM gone), (SELECT bytes FROM gone) + (SELECT bytes FROM sizes)`,
        [runId],
        `delete run "${runId}"`,
      );
      if (Number(rows[0]?.[0]) === 0) throw runNotFound(runId, where);
      return { freedBytes: Number(rows[0]?.[1] ?? 0) };
    },
    flush: async (runId) => {
      if ((await db.query(`SELECT 1 FROM ${s}.runnable_runs WHERE run_id = $1`, [runId], `look up run "${runId}"`)).rowCount === 0)
        throw runNotFound(runId, where);
    },
    acquireLease: (runId, options) => acquirePostgresLease(db, runId, options),
    leaseState: (runId) => leaseStateOf(db, runId),
    close: () => db.end(),
  };
}

/**
 * Every run, most recently changed first: one scan of the runs table's index (no run log is read), then
 * the leases of the runs still PROCESSING (a few) to tell the stale ones.
 */
async function listRuns(db: Database): Promise<RunSummary[]> {
  const s = db.schema;
  const [{ rows }, stale] = await Promise.all([
    db.query(
      `SELECT run_id, status, tag, pipeline_file, greatest(updated_ms, changed_ms)::float8 FROM ${s}.runnable_runs ORDER BY updated_ms DESC, run_id DESC`,
      [],
      "list the runs",
    ),
    db.query(
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
