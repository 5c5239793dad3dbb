import pg from "pg";
import { RunnableError } from "../../../core/errors.js";
import { type ServerDescription, isUnavailable, storeError } from "./connection.js";
import { LATEST_VERSION, ident, migrations } from "./migrations.js";

/** A query result's rows (arrays when asked for). */
export type Rows = unknown[][];

/** The store's way to the database: pooled, retried while the server is unreachable, schema migrated on first use. */
export interface Database {
  /** Runs one statement (its own transaction); rows come back as arrays. `name` prepares it once per connection. */
  query(text: string, values: unknown[], doing: string, name?: string): Promise<{ rows: Rows; rowCount: number }>;
  /** A dedicated connection (for a lease, whose liveness is its session). */
  connect(doing: string): Promise<pg.Client>;
  server: ServerDescription;
  /** The quoted schema name. */
  schema: string;
  end(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Options of {@link openDatabase}. */
export interface DatabaseOptions {
  config: pg.ClientConfig;
  server: ServerDescription;
  schema: string;
  poolSize: number;
  retrySeconds: number;
  warn: (message: string) => void;
}

/** A pool over the configured server; nothing connects until the first query. */
export function openDatabase(options: DatabaseOptions): Database {
  const { server } = options;
  const base: pg.ClientConfig = { ...options.config, application_name: "runnable-ts", connectionTimeoutMillis: 5_000, keepAlive: true };
  const pool = new pg.Pool({ ...base, max: options.poolSize, idleTimeoutMillis: 5_000, allowExitOnIdle: true });
  // An idle connection that breaks (server restarted) must not crash the process: the next query reconnects.
  pool.on("error", () => undefined);
  const schema = ident(options.schema);
  let ready: Promise<void> | undefined;

  /** Retries `action` while the server is unreachable, for up to retry_seconds (all the store's statements are idempotent). */
  const retrying = async <T>(doing: string, action: () => Promise<T>): Promise<T> => {
    const deadline = Date.now() + options.retrySeconds * 1000;
    let delay = 100;
    let warned = false;
    for (;;) {
      try {
        return await action();
      } catch (error) {
        if (!isUnavailable(error) || Date.now() + delay > deadline) throw storeError(error, server, doing);
        if (!warned) options.warn(`run_log_store postgres (${server.where}) is unreachable; retrying for up to ${options.retrySeconds} s`);
        warned = true;
        await sleep(delay);
        delay = Math.min(delay * 2, 2_000);
      }
    }
  };

  const raw = (text: string, values: unknown[], name?: string) => pool.query({ text, values, rowMode: "array", ...(name ? { name } : {}) });

  const migrate = async (): Promise<void> => {
    const current = await currentVersion(raw, schema);
    if (current >= LATEST_VERSION) return;
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`runnable-ts schema ${options.schema}`]);
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
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const ensureReady = (): Promise<void> => {
    ready ??= retrying("prepare the store's tables", migrate).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  return {
    server,
    schema,
    async query(text, values, doing, name) {
      await ensureReady();
      const result = await retrying(doing, () => raw(text, values, name));
      return { rows: result.rows as Rows, rowCount: result.rowCount ?? 0 };
    },
    async connect(doing) {
      await ensureReady();
      return retrying(doing, async () => {
        const client = new pg.Client(base);
        client.on("error", () => undefined);
        await client.connect();
        return client;
      });
    },
    end: () => pool.end(),
  };
}

/** The schema version in the database (0 when the store has never been used there). */
async function currentVersion(raw: (text: string, values: unknown[]) => Promise<pg.QueryArrayResult>, schema: string): Promise<number> {
  const table = await raw("SELECT to_regclass($1) IS NOT NULL", [`${schema}.runnable_schema_versions`]);
  if (table.rows[0]?.[0] !== true) return 0;
  const version = await raw(`SELECT coalesce(max(version), 0) FROM ${schema}.runnable_schema_versions`, []);
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
