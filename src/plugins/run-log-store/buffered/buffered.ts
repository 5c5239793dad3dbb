import type { Parameters, RunConfig, RunLog, Status } from "../../../core/run-log.js";
import { RunnableError } from "../../../core/errors.js";
import type { RunHeader, RunLease, RunLogStore, RunSummary } from "../../../ports/run-log-store.js";
import { type RunOp, applyOp, branchOp, placementProblem, removeOp, runFromHeader, stepOp } from "../shared/run-ops.js";
import { cloneJson } from "../../../core/parameters.js";
import { checkWritable } from "../shared/run-log-schema.js";
import { misplacedWrite, runExists, runNotFound } from "../shared/store-errors.js";

interface Entry {
  run: RunLog;
  updatedMs: number;
  /** Change counter: orders runs changed within the same millisecond. */
  seq: number;
}

const WHERE = "the buffered (in-memory) run log store";

/** A run log store holding every run of this process in memory, keyed by run id. */
export function createBufferedRunLogStore(): RunLogStore {
  const runs = new Map<string, Entry>();
  /** Leases held in this process (a buffered run lives and dies with it, so a held lease is always live). */
  const leases = new Map<string, { since: number; token: object }>();
  let changes = 0;

  const acquireLease = async (runId: string): Promise<RunLease> => {
    if (leases.has(runId)) {
      throw new RunnableError("RUN_BUSY", `Run "${runId}" is already being run in this process`, { hint: "Wait for it to finish." });
    }
    const token = {};
    leases.set(runId, { since: Date.now(), token });
    return {
      renew: async () => undefined,
      release: async () => {
        if (leases.get(runId)?.token === token) leases.delete(runId);
      },
    };
  };

  const entry = (runId: string): Entry => {
    const found = runs.get(runId);
    if (!found) throw runNotFound(runId, WHERE);
    return found;
  };

  const update = async (runId: string, op: RunOp): Promise<void> => {
    const target = entry(runId);
    checkWritable(runId, "op", op);
    const problem = placementProblem(target.run, op);
    if (problem) throw misplacedWrite(runId, problem);
    applyOp(target.run, op);
    target.updatedMs = Date.now();
    target.seq = ++changes;
  };

  const summary = (id: string, { run, updatedMs }: Entry): RunSummary => ({
    run_id: id,
    status: run.status,
    tag: run.tag,
    pipeline_file: run.run_config?.pipeline_file ?? null,
    updated_ms: updatedMs,
  });

  return {
    type: "buffered",
    recordedConfig: {},
    traits: { persistent: false, sharing: "none", leases: true },
    create: async (header: RunHeader) => {
      if (runs.has(header.run_id)) throw runExists(header.run_id, WHERE);
      const run = runFromHeader(header);
      checkWritable(header.run_id, "run", run);
      runs.set(header.run_id, { run, updatedMs: Date.now(), seq: ++changes });
    },
    exists: async (runId: string) => runs.has(runId),
    get: async (runId: string) => cloneJson(entry(runId).run),
    setStatus: (runId: string, status: Status) => update(runId, { op: "status", location: [], payload: status }),
    setParameters: (runId: string, parameters: Parameters) => update(runId, { op: "parameters", location: [], payload: cloneJson(parameters) }),
    setRunConfig: (runId: string, runConfig: RunConfig) => update(runId, { op: "run_config", location: [], payload: cloneJson(runConfig) }),
    putStep: (runId, location, step, seq) => update(runId, stepOp(location, step, seq)),
    putBranch: (runId, location, branch, seq) => update(runId, branchOp(location, branch, seq)),
    removeStep: (runId, location, internalName) => update(runId, removeOp(location, internalName)),
    list: async () => [...runs.entries()].sort(([, a], [, b]) => b.seq - a.seq).map(([id, found]) => summary(id, found)),
    delete: async (runId: string) => {
      const freedBytes = Buffer.byteLength(JSON.stringify(entry(runId).run));
      runs.delete(runId);
      return { freedBytes };
    },
    flush: async (runId: string) => {
      entry(runId);
    },
    acquireLease,
    leaseState: async (runId) => {
      const held = leases.get(runId);
      return held ? { state: "live", owner: { host: "this process", pid: process.pid, since_ms: held.since }, age_ms: 0 } : { state: "none" };
    },
  };
}
