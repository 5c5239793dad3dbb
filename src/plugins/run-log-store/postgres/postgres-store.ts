import { createHash, randomBytes } from "node:crypto";
import type { LogLocation, RunLog, StepLog } from "../../../core/run-log.js";
import type { PluginContext } from "../../../ports/plugin.js";
import type { Freed, RunLogStore, RunLogStoreDriver, RunOp } from "../../../ports/run-log-store.js";
import { entityId, parentId } from "../shared/entity-tree.js";
import { createRunLogStore } from "../shared/run-log-store-facade.js";
import { misplacedWrite, runExists, runNotFound } from "../shared/store-errors.js";
import { clientConfig, redactUrl } from "./connection.js";
import { type Database, closeDatabase, openDatabase, query } from "./database.js";
import type { PostgresRunLogStoreConfig } from "./index.js";
import { acquirePostgresLease, leaseStateOf } from "./leases.js";
import { NOW_MS } from "./migrations.js";
import { listPostgresRuns, readPostgresRun } from "./postgres-reads.js";
import { type EntityWrite, type WriteBatcher, createWriteBatcher, writeEntity } from "./write-batcher.js";

/** The state of one postgres store: its database, its entity write batcher, how it is named in messages. */
interface PostgresStore {
  readonly db: Database;
  readonly batcher: WriteBatcher;
  readonly where: string;
  readonly warn: (message: string) => void;
}

const keyOf = (id: string): string => createHash("sha256").update(id).digest("base64url");

/** Where descendants of step `name` at `location` sit: their location JSON starts with this. */
function descendantPrefix(location: LogLocation, name: string): string {
  const outer = JSON.stringify(location).slice(0, -1);
  return `${outer}${location.length > 0 ? "," : ""}[${JSON.stringify(name)},`;
}

async function create(store: PostgresStore, run: RunLog): Promise<void> {
  const { steps: _steps, status: _status, parameters, run_config, ...fields } = run;
  const s = store.db.schema;
  // Idempotent under retries (the statement is sent again with the same token): a row this call
  // created is not "another run with that id".
  const creator = randomBytes(9).toString("base64url");
  const { rows } = await query(
    store.db,
    `WITH made AS (
         INSERT INTO ${s}.runnable_runs (run_id, status, tag, pipeline_file, header, parameters, run_config, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_id) DO NOTHING RETURNING created_by)
       SELECT created_by FROM made UNION ALL SELECT created_by FROM ${s}.runnable_runs WHERE run_id = $1 LIMIT 1`,
    [
      run.run_id,
      run.status,
      run.tag,
      run_config.pipeline_file ?? null,
      JSON.stringify(fields),
      JSON.stringify(parameters),
      JSON.stringify(run_config),
      creator,
    ],
    `create run "${run.run_id}"`,
  );
  if (rows[0]?.[0] !== creator) throw runExists(run.run_id, store.where);
}

/** Sets a column of the run's row to `value` (as sent: the status, or JSON text). */
async function updateRun(store: PostgresStore, runId: string, column: "status" | "parameters" | "run_config", value: string): Promise<void> {
  const { rowCount } = await query(
    store.db,
    `UPDATE ${store.db.schema}.runnable_runs SET ${column} = $2, updated_ms = ${NOW_MS}, changed_ms = ${NOW_MS} WHERE run_id = $1`,
    [runId, value],
    `set the ${column} of run "${runId}"`,
  );
  if (rowCount === 0) throw runNotFound(runId, store.where);
}

/** Sets (or, when `{}`, removes) `parameter_kinds` in the run's header column. */
async function updateHeaderKinds(store: PostgresStore, runId: string, kinds: string): Promise<void> {
  const { rowCount } = await query(
    store.db,
    `UPDATE ${store.db.schema}.runnable_runs
        SET header = (CASE WHEN $2::jsonb = '{}'::jsonb THEN header::jsonb - 'parameter_kinds'
                           ELSE header::jsonb || jsonb_build_object('parameter_kinds', $2::jsonb) END)::json,
            updated_ms = ${NOW_MS}, changed_ms = ${NOW_MS}
      WHERE run_id = $1`,
    [runId, kinds],
    `set the parameter kinds of run "${runId}"`,
  );
  if (rowCount === 0) throw runNotFound(runId, store.where);
}

/** A step's row data: its (empty) branches go last, as the rows have always been written. */
function stepRow(step: StepLog): object {
  const { branches: _branches, ...fields } = step;
  return { ...fields, branches: {} };
}

/** The write of a step or branch row, serialised now, sent when called (one call of runnable_put_entity, batched). */
function entityWriter(store: PostgresStore, runId: string, op: Extract<RunOp, { op: "step" | "branch" }>): () => Promise<void> {
  const { location } = op;
  const kind = op.op;
  const name = kind === "step" ? op.payload.internal_name : location[location.length - 1]![1];
  const parent = parentId(kind, location);
  const write: EntityWrite = [
    runId,
    keyOf(entityId(kind, location, name)),
    parent === undefined ? null : keyOf(parent),
    kind === "step" ? "s" : "b",
    JSON.stringify(location),
    name,
    op.seq === undefined ? null : Math.max(0, Math.floor(op.seq)),
    JSON.stringify(op.op === "step" ? stepRow(op.payload) : { ...op.payload, steps: {} }),
  ];
  const missing = kind === "step" ? "there is no branch log at that location" : `there is no step log "${location[location.length - 1]?.[0]}" to hold it`;
  return async () => {
    const outcome = await writeEntity(store.batcher, write, `write ${kind} log "${name}" of run "${runId}"`);
    if (outcome === 1) throw runNotFound(runId, store.where);
    if (outcome === 2) throw misplacedWrite(runId, `cannot put ${kind} log "${name}": ${missing}`);
  };
}

/** Removes a step row and the rows under it (one statement). */
async function removeStep(store: PostgresStore, runId: string, key: string, prefix: string, name: string): Promise<void> {
  const s = store.db.schema;
  const { rows } = await query(
    store.db,
    `WITH run AS (UPDATE ${s}.runnable_runs SET changed_ms = ${NOW_MS} WHERE run_id = $1 RETURNING run_id),
              gone AS (DELETE FROM ${s}.runnable_entities e USING run WHERE e.run_id = run.run_id AND (e.key = $2 OR starts_with(e.location, $3)) RETURNING 1)
         SELECT (SELECT count(*) FROM run), (SELECT count(*) FROM gone)`,
    [runId, key, prefix],
    `remove step log "${name}" of run "${runId}"`,
  );
  if (Number(rows[0]?.[0]) === 0) throw runNotFound(runId, store.where);
}

/** The statement of one op, with its values serialised now, sent when called. */
function writer(store: PostgresStore, runId: string, op: RunOp): () => Promise<void> {
  switch (op.op) {
    case "status":
      return () => updateRun(store, runId, "status", op.payload);
    case "parameters":
    case "run_config": {
      const json = JSON.stringify(op.payload);
      return () => updateRun(store, runId, op.op, json);
    }
    case "parameter_kinds": {
      const json = JSON.stringify(op.payload);
      return () => updateHeaderKinds(store, runId, json);
    }
    case "step":
    case "branch":
      return entityWriter(store, runId, op);
    case "remove": {
      const key = keyOf(entityId("step", op.location, op.payload));
      const prefix = descendantPrefix(op.location, op.payload);
      return () => removeStep(store, runId, key, prefix, op.payload);
    }
  }
}

/** Applies ops in order, each one call (the first sent before apply returns: concurrent writes batch together). */
async function apply(store: PostgresStore, runId: string, ops: readonly RunOp[]): Promise<void> {
  const writes = ops.map((op) => writer(store, runId, op));
  for (const write of writes) await write();
}

async function remove(store: PostgresStore, runId: string): Promise<Freed | undefined> {
  const s = store.db.schema;
  const { rows } = await query(
    store.db,
    `WITH sizes AS (SELECT coalesce(sum(octet_length(data::text) + octet_length(location)), 0) AS bytes FROM ${s}.runnable_entities WHERE run_id = $1),
              gone AS (DELETE FROM ${s}.runnable_runs WHERE run_id = $1 RETURNING octet_length(header::text) + octet_length(parameters::text) + octet_length(run_config::text) AS bytes),
              lease AS (DELETE FROM ${s}.runnable_leases WHERE run_id = $1 AND EXISTS (SELECT 1 FROM gone))
         SELECT (SELECT count(*) FROM gone), (SELECT bytes FROM gone) + (SELECT bytes FROM sizes)`,
    [runId],
    `delete run "${runId}"`,
  );
  return Number(rows[0]?.[0]) === 0 ? undefined : { freedBytes: Number(rows[0]?.[1] ?? 0) };
}

async function exists(store: PostgresStore, runId: string): Promise<boolean> {
  return (await query(store.db, `SELECT 1 FROM ${store.db.schema}.runnable_runs WHERE run_id = $1`, [runId], `look up run "${runId}"`)).rowCount > 0;
}

/** A postgres store; `close` ends its connections (a process exits without it once they are idle). */
export type PostgresRunLogStore = RunLogStore & { close(): Promise<void> };

/** The `postgres` store's driver (see docs/stores.md): runs, steps and branches as rows; one transaction per write. */
export function createPostgresDriver(config: PostgresRunLogStoreConfig, context: PluginContext): RunLogStoreDriver & { close(): Promise<void> } {
  const { config: connection, server } = clientConfig(config.connection_url, context.env);
  const options = {
    config: connection,
    server,
    schema: config.schema,
    poolSize: config.pool_size,
    retrySeconds: config.retry_seconds,
    timeoutSeconds: config.timeout_seconds,
    warn: context.warn,
  };
  const db = openDatabase(options);
  const store: PostgresStore = { db, batcher: createWriteBatcher(db), where: `the postgres run log store (${server.where})`, warn: context.warn };
  const credentialVariables = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE"];
  return {
    type: "postgres",
    recordedConfig: { ...(config.connection_url ? { connection_url: redactUrl(config.connection_url) } : {}), schema: config.schema },
    traits: {
      persistent: true,
      sharing: "server",
      leases: true,
      server: { address: config.connection_url ?? "", addressSetting: "connection_url", credentialVariables },
    },
    where: store.where,
    // Every value is serialised when apply is called.
    readsOpsAtOnce: true,
    create: (run) => create(store, run),
    apply: (runId, ops) => apply(store, runId, ops),
    read: (runId) => readPostgresRun(db, runId, store.warn),
    exists: (runId) => exists(store, runId),
    list: () => listPostgresRuns(db),
    remove: (runId) => remove(store, runId),
    flush: (runId) => exists(store, runId),
    acquireLease: (runId, leaseOptions) => acquirePostgresLease(db, runId, leaseOptions),
    leaseState: (runId) => leaseStateOf(db, runId),
    close: () => closeDatabase(db),
  };
}

/** The `postgres` run log store: the façade over {@link createPostgresDriver}, plus `close`. */
export function createPostgresRunLogStore(config: PostgresRunLogStoreConfig, context: PluginContext): PostgresRunLogStore {
  const driver = createPostgresDriver(config, context);
  return { ...createRunLogStore(driver), close: driver.close };
}
