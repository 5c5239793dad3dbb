import pg from "pg";
import { RunnableError } from "../../../core/errors.js";
import { withRetry } from "../../../io/retry.js";
import { type StallWatch, createStallWatch } from "../../../io/stall-watch.js";
import { type ServerDescription, isUnavailable, storeError } from "./connection.js";
import { LATEST_VERSION, ident, migrations } from "./migrations.js";

// The store's way to the database: a pool, statements retried while the server is unreachable (every
// statement of the store is idempotent), and the schema migrated on first use.

/** A query result's rows (arrays when asked for). */
export type Rows = unknown[][];

/** Options of {@link openDatabase}. */
export interface DatabaseOptions {
  config: pg.ClientConfig;
  server: ServerDescription;
  schema: string;
  poolSize: number;
  retrySeconds: number;
  /** How long one request may go unanswered before it is given up (and retried on a new connection). */
  timeoutSeconds: number;
  warn: (message: string) => void;
}

/** One store's database: its pool and settings, and whether its schema is migrated (nothing connects until the first query). */
export interface Database {
  readonly pool: pg.Pool;
  /** The settings of dedicated connections (leases). */
  readonly clientConfig: pg.ClientConfig;
  readonly server: ServerDescription;
  /** The quoted schema name. */
  readonly schema: string;
  /** The schema name as configured (it names the migration lock). */
  readonly schemaName: string;
  readonly retrySeconds: number;
  readonly warn: (message: string) => void;
  /** Warns once when a request goes unanswered for seconds (a frozen server reports nothing else). */
  readonly stalls: StallWatch;
  /** The migration, once started (cleared when it failed, so the next query tries again). */
  ready: Promise<void> | undefined;
  /** Idle connections kept checked out between statements (see {@link checkout}); unreferenced, so they never keep the process alive. */
  readonly kept: pg.PoolClient[];
  /** Set by {@link closeDatabase}: connections go back to the pool from then on. */
  closing: boolean;
  /** Connections given an error listener (a checked-out connection that breaks must not crash the process). */
  readonly listening: WeakSet<pg.PoolClient>;
}

/** How many idle connections a store keeps checked out (the write batcher's calls in flight). */
const KEPT_CONNECTIONS = 2;

/** pg's client references its socket or not (`ref`/`unref`, missing from @types/pg). */
type Referable = pg.PoolClient & { ref(): void; unref(): void };

/** A pool over the configured server. */
export function openDatabase(options: DatabaseOptions): Database {
  const timeoutMs = Math.round(options.timeoutSeconds * 1000);
  // A frozen server keeps connections open and answers nothing: each request is given up after
  // timeout_seconds (client side, and cancelled on the server), its connection dropped, and retried.
  const clientConfig: pg.ClientConfig = {
    ...options.config,
    application_name: "runnable-ts",
    connectionTimeoutMillis: Math.min(5_000, timeoutMs),
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize, idleTimeoutMillis: 5_000, allowExitOnIdle: true });
  // An idle connection that breaks (server restarted) must not crash the process: the next query reconnects.
  pool.on("error", () => undefined);
  const { server, retrySeconds, warn } = options;
  const stalls = createStallWatch(
    warn,
    (doing, seconds) =>
      `run_log_store postgres (${server.where}) has not answered for ${seconds} s (trying to ${doing}); a request is given up after ${options.timeoutSeconds} s (timeout_seconds) and retried for up to ${retrySeconds} s (retry_seconds)`,
  );
  const schema = ident(options.schema);
  return {
    pool,
    clientConfig,
    server,
    schema,
    schemaName: options.schema,
    retrySeconds,
    warn,
    stalls,
    ready: undefined,
    kept: [],
    closing: false,
    listening: new WeakSet(),
  };
}

/** Runs one statement (its own transaction); rows come back as arrays. `name` prepares it once per connection. */
export async function query(db: Database, text: string, values: unknown[], doing: string, name?: string): Promise<{ rows: Rows; rowCount: number }> {
  await ensureReady(db);
  const result = await retrying(db, doing, () => watched(db, doing, () => raw(db, text, values, name)));
  return { rows: result.rows as Rows, rowCount: result.rowCount ?? 0 };
}

/** Runs one request under the stall watch. */
export async function watched<T>(db: Database, doing: string, request: () => Promise<T>): Promise<T> {
  const answered = db.stalls.begin(doing);
  try {
    return await request();
  } finally {
    answered();
  }
}

/** A dedicated connection (for a lease, whose liveness is its session). */
export async function connect(db: Database, doing: string): Promise<pg.Client> {
  await ensureReady(db);
  return retrying(db, doing, async () => {
    const client = new pg.Client(db.clientConfig);
    client.on("error", () => undefined);
    await watched(db, doing, () => client.connect());
    return client;
  });
}

/** Ends the pool's connections (the kept ones first: the pool ends once every connection is back). */
export function closeDatabase(db: Database): Promise<void> {
  db.closing = true;
  for (const client of db.kept.splice(0)) client.release();
  return db.pool.end();
}

/**
 * A connection for one statement: a kept one, else one from the pool. Statements go one after another
 * (a sequential map writes ~20,000 times): a pool checkout and return per statement costs about as
 * much CPU in this process as the statement itself, so a few connections stay checked out between them.
 */
async function checkout(db: Database): Promise<pg.PoolClient> {
  const kept = db.kept.pop();
  if (kept) {
    (kept as Referable).ref();
    return kept;
  }
  const client = await db.pool.connect();
  if (!db.listening.has(client)) {
    db.listening.add(client);
    client.on("error", () => {
      const at = db.kept.indexOf(client);
      if (at >= 0) {
        db.kept.splice(at, 1);
        client.release(true);
      }
    });
  }
  return client;
}

/** Gives a connection back after a statement: kept while few are, else to the pool; destroyed after an error (as the pool does). */
function checkin(db: Database, client: pg.PoolClient, error?: unknown): void {
  if (error !== undefined) client.release(error instanceof Error ? error : true);
  else if (db.closing || db.kept.length >= KEPT_CONNECTIONS) client.release();
  else {
    (client as Referable).unref();
    db.kept.push(client);
  }
}

/** Retries `action` while the server is unreachable, for up to retry_seconds, warning once. */
async function retrying<T>(db: Database, doing: string, action: () => Promise<T>): Promise<T> {
  let warned = false;
  const onRetry = (): void => {
    if (!warned) db.warn(`run_log_store postgres (${db.server.where}) is unreachable; retrying for up to ${db.retrySeconds} s`);
    warned = true;
  };
  try {
    return await withRetry(action, { retryable: isUnavailable, deadlineMs: db.retrySeconds * 1000, baseDelayMs: 100, onRetry });
  } catch (error) {
    throw storeError(error, db.server, doing);
  }
}

async function raw(db: Database, text: string, values: unknown[], name?: string): Promise<pg.QueryArrayResult> {
  const client = await checkout(db);
  try {
    const result = await client.query({ text, values, rowMode: "array", ...(name ? { name } : {}) });
    checkin(db, client);
    return result;
  } catch (error) {
    checkin(db, client, error ?? new Error("query failed"));
    throw error;
  }
}

function ensureReady(db: Database): Promise<void> {
  db.ready ??= retrying(db, "prepare the store's tables", () => migrate(db)).catch((error: unknown) => {
    db.ready = undefined;
    throw error;
  });
  return db.ready;
}

async function migrate(db: Database): Promise<void> {
  const { schema } = db;
  if ((await currentVersion(db)) >= LATEST_VERSION) return;
  const client = await checkout(db);
  let failure: unknown;
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`runnable-ts schema ${db.schemaName}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.runnable_schema_versions (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${schema}.runnable_schema_versions`);
    const from = applied.rows[0]?.v ?? 0;
    for (const migration of migrations(schema).filter((m) => m.version > from)) {
      for (const statement of migration.statements) await client.query(statement);
      await client.query(`INSERT INTO ${schema}.runnable_schema_versions (version) VALUES ($1)`, [migration.version]);
    }
    await client.query("COMMIT");
  } catch (error) {
    failure = error;
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    checkin(db, client, failure);
  }
}

/** The schema version in the database (0 when the store has never been used there). */
async function currentVersion(db: Database): Promise<number> {
  const { schema } = db;
  const table = await raw(db, "SELECT to_regclass($1) IS NOT NULL", [`${schema}.runnable_schema_versions`]);
  if (table.rows[0]?.[0] !== true) return 0;
  const version = await raw(db, `SELECT coalesce(max(version), 0) FROM ${schema}.runnable_schema_versions`, []);
  const found = Number(version.rows[0]?.[0] ?? 0);
  if (found > LATEST_VERSION) {
    throw new RunnableError(
      "CONFIG_INVALID",
      `run_log_store postgres: the database holds schema version ${found}, newer than this runnable-ts knows (${LATEST_VERSION})`,
      {
        hint: "Upgrade runnable-ts, or use another run_log_store.config.schema.",
      },
    );
  }
  return found;
}
