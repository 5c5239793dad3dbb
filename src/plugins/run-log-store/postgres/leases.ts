import { randomBytes } from "node:crypto";
import os from "node:os";
import type pg from "pg";
import { RunnableError } from "../../../core/errors.js";
import type { LeaseOptions, LeaseOwner, LeaseState, RunLease } from "../../../ports/run-log-store.js";
import { storeError } from "./connection.js";
import { type Database, connect, query, watched } from "./database.js";

// A run's lease is a row of runnable_leases. Its heartbeat is the server's clock, and the holder keeps
// a database session of its own for as long as it holds the lease: a holder that dies closes its
// session, so its lease is stale at once, on any host (no pid or local clock is trusted).

const DEFAULT_TTL_MS = 30_000;

function busy(runId: string, owner: LeaseOwner | null): RunnableError {
  const who = owner ? `process ${owner.pid} on ${owner.host} (since ${new Date(owner.since_ms).toISOString()})` : "another process";
  return new RunnableError("RUN_BUSY", `Run "${runId}" is being run by ${who}`, {
    hint: "Wait for it to finish (or stop it); a live run is never retried or overwritten.",
  });
}

/** The lease state of `runId`, judged on the server. */
export async function leaseStateOf(db: Database, runId: string): Promise<LeaseState> {
  const s = db.schema;
  const { rows } = await query(
    db,
    `SELECT l.host, l.pid, extract(epoch FROM l.since) * 1000, extract(epoch FROM clock_timestamp() - l.heartbeat) * 1000, ${s}.runnable_lease_stale(l)
       FROM ${s}.runnable_leases l WHERE l.run_id = $1`,
    [runId],
    `read the lease of run "${runId}"`,
  );
  const row = rows[0];
  if (!row) return { state: "none" };
  const owner: LeaseOwner = { host: String(row[0]), pid: Number(row[1]), since_ms: Math.round(Number(row[2])) };
  const age = Math.max(0, Math.round(Number(row[3])));
  return row[4] === true ? { state: "stale", owner, age_ms: age } : { state: "live", owner, age_ms: age };
}

const TAKE = (s: string) => `
  INSERT INTO ${s}.runnable_leases AS l (run_id, token, host, pid, since, heartbeat, ttl_ms, backend_pid, backend_start)
    SELECT $1, $2, $3, $4, clock_timestamp(), clock_timestamp(), $5, pg_backend_pid(), a.backend_start
      FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()
  ON CONFLICT (run_id) DO UPDATE SET token = EXCLUDED.token, host = EXCLUDED.host, pid = EXCLUDED.pid, since = EXCLUDED.since,
    heartbeat = EXCLUDED.heartbeat, ttl_ms = EXCLUDED.ttl_ms, backend_pid = EXCLUDED.backend_pid, backend_start = EXCLUDED.backend_start
    WHERE ${s}.runnable_lease_stale(l)
  RETURNING token`;

/** Takes the lease of `runId` on a session of its own (see {@link RunLogStore.acquireLease}). */
export async function acquirePostgresLease(db: Database, runId: string, options: LeaseOptions = {}): Promise<RunLease> {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const held: HeldLease = { db, runId, token: randomBytes(12).toString("hex"), ttlMs, client: undefined, released: false, renewing: undefined };
  const values = [runId, held.token, os.hostname(), process.pid, ttlMs];
  const client = await connect(db, `take the lease of run "${runId}"`);
  try {
    if (((await watched(db, `take the lease of run "${runId}"`, () => client.query(TAKE(db.schema), values))).rowCount ?? 0) === 0) {
      const state = await leaseStateOf(db, runId);
      throw busy(runId, state.state === "none" ? null : state.owner);
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw storeError(error, db.server, `take the lease of run "${runId}"`);
  }
  held.client = client;
  return {
    // One renewal at a time: a heartbeat that comes while the last one still waits on a stalled server
    // joins it (a second query on the busy session is what pg warns about as concurrent queries).
    renew: () => (held.renewing ??= renew(held).finally(() => (held.renewing = undefined))),
    release: () => release(held),
  };
}

/** A lease this process holds: its token and the session that keeps it alive (replaced when it breaks). */
interface HeldLease {
  readonly db: Database;
  readonly runId: string;
  readonly token: string;
  readonly ttlMs: number;
  client: pg.Client | undefined;
  released: boolean;
  /** The renewal on its way, if any. */
  renewing?: Promise<void> | undefined;
}

/**
 * Renews the lease on its session. A session lost with the server (a restart) is replaced, and the
 * heartbeat then records the new one; a lease that is no longer ours is taken again when it is free or
 * stale — after a restart it is stale (its session is gone) until renewed — and RUN_BUSY only when
 * another live process holds it.
 */
async function renew(held: HeldLease): Promise<void> {
  const { db, runId } = held;
  if (held.released) return;
  try {
    held.client ??= await connect(db, `renew the lease of run "${runId}"`);
    const client = held.client;
    const result = await watched(db, `renew the lease of run "${runId}"`, () =>
      client.query(
        `UPDATE ${db.schema}.runnable_leases SET heartbeat = clock_timestamp(), backend_pid = pg_backend_pid(),
               backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())
             WHERE run_id = $1 AND token = $2`,
        [runId, held.token],
      ),
    );
    if ((result.rowCount ?? 0) > 0) return;
    const values = [runId, held.token, os.hostname(), process.pid, held.ttlMs];
    if (((await watched(db, `take the lease of run "${runId}" again`, () => client.query(TAKE(db.schema), values))).rowCount ?? 0) > 0) return;
    const state = await leaseStateOf(db, runId);
    throw busy(runId, state.state === "none" ? null : state.owner);
  } catch (error) {
    if (!(error instanceof RunnableError)) {
      await held.client?.end().catch(() => undefined);
      held.client = undefined;
    }
    throw storeError(error, db.server, `renew the lease of run "${runId}"`);
  }
}

async function release(held: HeldLease): Promise<void> {
  const { db, runId } = held;
  if (held.released) return;
  held.released = true;
  try {
    await query(db, `DELETE FROM ${db.schema}.runnable_leases WHERE run_id = $1 AND token = $2`, [runId, held.token], `release the lease of run "${runId}"`);
  } finally {
    await held.client?.end().catch(() => undefined);
    held.client = undefined;
  }
}
