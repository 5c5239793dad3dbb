// The store's schema, as numbered migrations applied in order by the store itself (once per database,
// under an advisory lock, so processes starting together apply each one once). Never edit a released
// migration: add the next one.

/** The server's clock in epoch milliseconds, as SQL. */
export const NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/** Quotes an SQL identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The statements of each schema version, as data: `{schema}` stands for the quoted schema name and
 * `{now_ms}` for {@link NOW_MS} (see {@link migrations}).
 */
const MIGRATIONS: readonly { version: number; statements: readonly string[] }[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE {schema}.runnable_runs (
          run_id text PRIMARY KEY,
          status text NOT NULL,
          tag text,
          pipeline_file text,
          header json NOT NULL,
          parameters json NOT NULL,
          run_config json NOT NULL,
          created_by text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          -- epoch ms of the last change of the run's own fields (indexed: the order of runs list)
          updated_ms bigint NOT NULL DEFAULT {now_ms},
          -- epoch ms of the last change of anything in the run (not indexed, so step writes are HOT updates)
          changed_ms bigint NOT NULL DEFAULT {now_ms}
        ) WITH (fillfactor = 80)`,
      `CREATE INDEX runnable_runs_updated ON {schema}.runnable_runs (updated_ms DESC, run_id DESC)`,
      `CREATE INDEX runnable_runs_status ON {schema}.runnable_runs (status, updated_ms DESC)`,
      `CREATE INDEX runnable_runs_tag ON {schema}.runnable_runs (tag, updated_ms DESC)`,
      `CREATE INDEX runnable_runs_pipeline ON {schema}.runnable_runs (pipeline_file, updated_ms DESC)`,
      `CREATE INDEX runnable_runs_created ON {schema}.runnable_runs (created_at DESC)`,
      `CREATE TABLE {schema}.runnable_entities (
          run_id text NOT NULL REFERENCES {schema}.runnable_runs (run_id) ON DELETE CASCADE,
          key text NOT NULL,
          kind "char" NOT NULL,
          location text NOT NULL,
          name text NOT NULL,
          seq bigint,
          ord bigserial,
          data json NOT NULL,
          PRIMARY KEY (run_id, key)
        )`,
      `CREATE TABLE {schema}.runnable_leases (
          run_id text PRIMARY KEY,
          token text NOT NULL,
          host text NOT NULL,
          pid integer NOT NULL,
          since timestamptz NOT NULL,
          heartbeat timestamptz NOT NULL,
          ttl_ms integer NOT NULL,
          backend_pid integer,
          backend_start timestamptz
        )`,
      // One call = one transaction: checks the run and the parent, upserts, and marks the run changed
      // (at most once a second: a busy run's row is not rewritten for every step).
      // 0 = written, 1 = no such run, 2 = no parent record.
      `CREATE FUNCTION {schema}.runnable_put_entity(p_run text, p_key text, p_parent text, p_kind "char", p_location text, p_name text, p_seq bigint, p_data json)
        RETURNS integer LANGUAGE plpgsql AS $fn$
        DECLARE
          last_change bigint;
          now_ms bigint := {now_ms};
        BEGIN
          SELECT changed_ms INTO last_change FROM {schema}.runnable_runs WHERE run_id = p_run;
          IF NOT FOUND THEN RETURN 1; END IF;
          IF p_parent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {schema}.runnable_entities WHERE run_id = p_run AND key = p_parent) THEN
            RETURN 2;
          END IF;
          INSERT INTO {schema}.runnable_entities AS e (run_id, key, kind, location, name, seq, data)
            VALUES (p_run, p_key, p_kind, p_location, p_name, p_seq, p_data)
            ON CONFLICT (run_id, key) DO UPDATE SET data = EXCLUDED.data, seq = COALESCE(EXCLUDED.seq, e.seq);
          IF last_change < now_ms - 1000 THEN
            UPDATE {schema}.runnable_runs SET changed_ms = now_ms WHERE run_id = p_run AND changed_ms < now_ms;
          END IF;
          RETURN 0;
        EXCEPTION WHEN foreign_key_violation THEN
          RETURN 1; -- the run was deleted meanwhile
        END
        $fn$`,
      // Several concurrent writes in one call (and one transaction); each keeps its own outcome.
      `CREATE FUNCTION {schema}.runnable_put_entities(p_writes json) RETURNS integer[] LANGUAGE plpgsql AS $fn$
        DECLARE
          w json;
          outcomes integer[] := '{}';
        BEGIN
          FOR w IN SELECT value FROM json_array_elements(p_writes) LOOP
            outcomes := outcomes || {schema}.runnable_put_entity(w->>0, w->>1, w->>2, (w->>3)::"char", w->>4, w->>5, (w->>6)::bigint, w->7);
          END LOOP;
          RETURN outcomes;
        END
        $fn$`,
      // A lease is stale when its heartbeat (server clock) is older than its ttl, or when the
      // database session of its holder is gone (the holder died: its connection closed).
      `CREATE FUNCTION {schema}.runnable_lease_stale(l {schema}.runnable_leases) RETURNS boolean LANGUAGE sql STABLE AS $fn$
          SELECT clock_timestamp() - l.heartbeat > l.ttl_ms * interval '1 millisecond'
            OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid AND a.backend_start = l.backend_start)
        $fn$`,
    ],
  },
];

/** The statements of each schema version for the quoted schema name `s`, in order. */
export function migrations(s: string): { version: number; statements: string[] }[] {
  return MIGRATIONS.map(({ version, statements }) => ({
    version,
    statements: statements.map((statement) => statement.replaceAll("{schema}", s).replaceAll("{now_ms}", NOW_MS)),
  }));
}

/** The newest schema version this code knows. */
export const LATEST_VERSION = MIGRATIONS.length;
