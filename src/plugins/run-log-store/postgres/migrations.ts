// The store's schema, as numbered migrations applied in order by the store itself (once per database,
// under an advisory lock, so processes starting together apply each one once). Never edit a released
// migration: add the next one.

/** Quotes an SQL identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The statements of each schema version; `s` is the quoted schema name. */
export function migrations(s: string): { version: number; statements: string[] }[] {
  return [
    {
      version: 1,
      statements: [
        `CREATE TABLE ${s}.runnable_runs (
          run_id text PRIMARY KEY,
          status text NOT NULL,
          tag text,
          pipeline_file text,
          header json NOT NULL,
          parameters json NOT NULL,
          run_config json NOT NULL,
          created_by text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )`,
        `CREATE INDEX runnable_runs_updated ON ${s}.runnable_runs (updated_at DESC, run_id DESC)`,
        `CREATE INDEX runnable_runs_status ON ${s}.runnable_runs (status, updated_at DESC)`,
        `CREATE INDEX runnable_runs_tag ON ${s}.runnable_runs (tag, updated_at DESC)`,
        `CREATE INDEX runnable_runs_pipeline ON ${s}.runnable_runs (pipeline_file, updated_at DESC)`,
        `CREATE INDEX runnable_runs_created ON ${s}.runnable_runs (created_at DESC)`,
        `CREATE TABLE ${s}.runnable_entities (
          run_id text NOT NULL REFERENCES ${s}.runnable_runs (run_id) ON DELETE CASCADE,
          key text NOT NULL,
          kind "char" NOT NULL,
          location text NOT NULL,
          name text NOT NULL,
          seq bigint,
          ord bigserial,
          data json NOT NULL,
          PRIMARY KEY (run_id, key)
        )`,
        `CREATE TABLE ${s}.runnable_leases (
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
        // One call = one transaction: checks the run and the parent, marks the run changed, upserts.
        // 0 = written, 1 = no such run, 2 = no parent record.
        `CREATE FUNCTION ${s}.runnable_put_entity(p_run text, p_key text, p_parent text, p_kind "char", p_location text, p_name text, p_seq bigint, p_data json)
        RETURNS integer LANGUAGE plpgsql AS $fn$
        BEGIN
          IF p_parent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${s}.runnable_entities WHERE run_id = p_run AND key = p_parent) THEN
            IF NOT EXISTS (SELECT 1 FROM ${s}.runnable_runs WHERE run_id = p_run) THEN RETURN 1; END IF;
            RETURN 2;
          END IF;
          UPDATE ${s}.runnable_runs SET updated_at = clock_timestamp() WHERE run_id = p_run;
          IF NOT FOUND THEN RETURN 1; END IF;
          INSERT INTO ${s}.runnable_entities AS e (run_id, key, kind, location, name, seq, data)
            VALUES (p_run, p_key, p_kind, p_location, p_name, p_seq, p_data)
            ON CONFLICT (run_id, key) DO UPDATE SET data = EXCLUDED.data, seq = COALESCE(EXCLUDED.seq, e.seq);
          RETURN 0;
        END
        $fn$`,
        // A lease is stale when its heartbeat (server clock) is older than its ttl, or when the
        // database session of its holder is gone (the holder died: its connection closed).
        `CREATE FUNCTION ${s}.runnable_lease_stale(l ${s}.runnable_leases) RETURNS boolean LANGUAGE sql STABLE AS $fn$
          SELECT clock_timestamp() - l.heartbeat > l.ttl_ms * interval '1 millisecond'
            OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid AND a.backend_start = l.backend_start)
        $fn$`,
      ],
    },
  ];
}

/** The newest schema version this code knows. */
export const LATEST_VERSION = 1;
