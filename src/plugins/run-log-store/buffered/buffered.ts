import { RunnableError } from "../../../core/errors.js";
import { cloneJson } from "../../../core/parameters.js";
import type { RunLog } from "../../../core/run-log.js";
import type { LeaseState, RunLease, RunLogStore, RunLogStoreDriver, RunOp } from "../../../ports/run-log-store.js";
import { createRunLogStore } from "../shared/run-log-store-facade.js";
import { applyOp, placementProblem } from "../shared/run-ops.js";
import { misplacedWrite, runExists, runNotFound } from "../shared/store-errors.js";

const WHERE = "the buffered (in-memory) run log store";

/** The runs of one buffered store; `seq` orders runs changed within one millisecond. */
interface BufferedState {
  runs: Map<string, { run: RunLog; updatedMs: number; seq: number }>;
  /** Leases held in this process (a buffered run lives and dies with it, so a held lease is always live). */
  leases: Map<string, { since: number; token: object }>;
  changes: number;
}

async function apply(state: BufferedState, runId: string, ops: readonly RunOp[]): Promise<void> {
  const entry = state.runs.get(runId);
  if (!entry) throw runNotFound(runId, WHERE);
  for (const op of ops) {
    const problem = placementProblem(entry.run, op);
    if (problem) throw misplacedWrite(runId, problem);
    applyOp(entry.run, op);
  }
  entry.updatedMs = Date.now();
  entry.seq = ++state.changes;
}

async function acquireLease(state: BufferedState, runId: string): Promise<RunLease> {
  if (state.leases.has(runId)) throw new RunnableError("RUN_BUSY", `Run "${runId}" is already being run in this process`, { hint: "Wait for it to finish." });
  const token = {};
  state.leases.set(runId, { since: Date.now(), token });
  const release = async (): Promise<void> => void (state.leases.get(runId)?.token === token && state.leases.delete(runId));
  return { renew: async () => undefined, release };
}

async function leaseState(state: BufferedState, runId: string): Promise<LeaseState> {
  const held = state.leases.get(runId);
  return held ? { state: "live", owner: { host: "this process", pid: process.pid, since_ms: held.since }, age_ms: 0 } : { state: "none" };
}

/** The driver of a store holding every run of this process in memory, keyed by run id (ops arrive copied). */
export function createBufferedDriver(): RunLogStoreDriver {
  const state: BufferedState = { runs: new Map(), leases: new Map(), changes: 0 };
  const { runs } = state;
  return {
    type: "buffered",
    recordedConfig: {},
    traits: { persistent: false, sharing: "none", leases: true },
    where: WHERE,
    create: async (run) => {
      if (runs.has(run.run_id)) throw runExists(run.run_id, WHERE);
      runs.set(run.run_id, { run, updatedMs: Date.now(), seq: ++state.changes });
    },
    apply: (runId, ops) => apply(state, runId, ops),
    read: async (runId) => cloneJson(runs.get(runId)?.run),
    exists: async (runId) => runs.has(runId),
    list: async () =>
      [...runs.values()]
        .sort((a, b) => b.seq - a.seq)
        .map(({ run, updatedMs }) => ({
          run_id: run.run_id,
          status: run.status,
          tag: run.tag,
          pipeline_file: run.run_config.pipeline_file,
          updated_ms: updatedMs,
        })),
    remove: async (runId) => {
      const found = runs.get(runId);
      return found && runs.delete(runId) ? { freedBytes: Buffer.byteLength(JSON.stringify(found.run)) } : undefined;
    },
    acquireLease: (runId) => acquireLease(state, runId),
    leaseState: (runId) => leaseState(state, runId),
  };
}

/** A run log store holding every run of this process in memory, keyed by run id. */
export function createBufferedRunLogStore(): RunLogStore {
  return createRunLogStore(createBufferedDriver());
}
