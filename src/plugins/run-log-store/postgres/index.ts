import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Builds the config schema of the `postgres` run log store (when a config names it; unknown keys are errors). */
export function buildPostgresRunLogStoreConfigSchema() {
  return z.strictObject({
    /** `postgres://user:password@host:port/database`; without it the standard PG* variables apply. */
    connection_url: z.string().min(1).optional(),
    /** The schema holding the store's tables (created when missing). */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case SQL identifier (letters, digits, _)")
      .default("public"),
    /** Connections kept open by one process. */
    pool_size: z.number().int().min(1).max(100).default(8),
    /** How long a read or write waits for an unreachable server before the run fails. */
    retry_seconds: z.number().min(0).max(3600).default(15),
    /**
     * How long one request may go unanswered (a frozen server, a lost network) before it is given up
     * and tried again on a new connection, within retry_seconds; the server cancels it too.
     */
    timeout_seconds: z.number().positive().max(3600).default(20),
  });
}

/** Validated config of the postgres store. */
export type PostgresRunLogStoreConfig = z.output<ReturnType<typeof buildPostgresRunLogStoreConfigSchema>>;

/** The `postgres` run log store: runs, steps and branches as rows of a PostgreSQL database. */
export const postgresRunLogStorePlugin = definePlugin({
  kind: "run_log_store",
  type: "postgres",
  description: "Keeps run logs in PostgreSQL (one row per run, step and branch; leases on the server's clock)",
  configSchema: buildPostgresRunLogStoreConfigSchema,
  create: async (config, context) => (await import("./postgres-store.js")).createPostgresRunLogStore(config, context),
});
