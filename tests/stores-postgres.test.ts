import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { postgresRunLogStorePlugin } from "../src/plugins/run-log-store/postgres/index.js";
import { type PostgresRunLogStore, createPostgresRunLogStore } from "../src/plugins/run-log-store/postgres/postgres-store.js";
import type { PluginContext } from "../src/ports/plugin.js";
import { runLogStoreContract, sampleRunHeader, sampleStepLog } from "../src/testing/contracts/run-log-store.contract.js";
import { holdLeaseWith, noPostgres, postgresUrl } from "./helpers/store-servers.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

const context: PluginContext = { cwd: process.cwd(), env: {}, warn: () => undefined };
const admin = postgresUrl ? new pg.Pool({ connectionString: postgresUrl, max: 2 }) : undefined;
afterAll(() => admin?.end());

/** A store over a fresh schema of the test database; cleanup drops the schema. */
async function harness() {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const config = postgresRunLogStorePlugin.configSchema.parse({ connection_url: postgresUrl, schema, pool_size: 4 });
  const opened: PostgresRunLogStore[] = [];
  const open = async () => {
    const store = createPostgresRunLogStore(config, context);
    opened.push(store);
    return store;
  };
  return {
    store: await open(),
    reopen: open,
    holdLeaseElsewhere: (runId: string) => holdLeaseWith({ type: "postgres", config: { connection_url: postgresUrl, schema } }, runId, 30_000),
    cleanup: async () => {
      await Promise.all(opened.map((store) => store.close()));
      await admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

describeNeeding(NEEDS.postgres, noPostgres)("postgres run log store", () => {
  runLogStoreContract("postgres", harness, { sharedStorage: true, leasesAcrossProcesses: true });

  it("records its config without the password and refuses unknown keys", () => {
    const schema = postgresRunLogStorePlugin.configSchema;
    expect(schema.safeParse({ connection_url: "postgres://a:b@h/d", bogus: 1 }).success).toBe(false);
    const store = createPostgresRunLogStore(schema.parse({ connection_url: "postgres://alice:s3cret@db.example:5433/runs" }), context);
    expect(JSON.stringify(store.recordedConfig)).not.toContain("s3cret");
    expect(store.recordedConfig).toEqual({ connection_url: "postgres://alice:***@db.example:5433/runs", schema: "public" });
  });

  it("migrates its schema once, idempotently, when many processes start together", async () => {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    const config = postgresRunLogStorePlugin.configSchema.parse({ connection_url: postgresUrl, schema, pool_size: 2 });
    const stores = Array.from({ length: 6 }, () => createPostgresRunLogStore(config, context));
    try {
      await Promise.all(stores.map((store, i) => store.create(sampleRunHeader(`m-${i}`))));
      const versions = await admin!.query(`SELECT version FROM ${schema}.runnable_schema_versions`);
      expect(versions.rows).toEqual([{ version: 1 }]);
      const again = createPostgresRunLogStore(config, context);
      stores.push(again);
      expect(await again.exists("m-3")).toBe(true);
      expect((await admin!.query(`SELECT count(*)::int AS n FROM ${schema}.runnable_schema_versions`)).rows[0].n).toBe(1);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });

  it("serves list() from an index and keeps one row per step", async () => {
    const h = await harness();
    try {
      await h.store.create(sampleRunHeader("r-1"));
      for (let i = 0; i < 5; i++) await h.store.putStep("r-1", [], sampleStepLog(`s${i}`), i);
      await h.store.putStep("r-1", [], sampleStepLog("s0", "task", "FAIL"), 0);
      const schema = (h.store.recordedConfig as { schema: string }).schema;
      expect((await admin!.query(`SELECT count(*)::int AS n FROM ${schema}.runnable_entities`)).rows[0].n).toBe(5);
      const plan = await admin!.query(`EXPLAIN SELECT run_id FROM ${schema}.runnable_runs ORDER BY updated_ms DESC, run_id DESC LIMIT 50`);
      expect(JSON.stringify(plan.rows)).toContain("runnable_runs_updated");
    } finally {
      await h.cleanup();
    }
  });
});
