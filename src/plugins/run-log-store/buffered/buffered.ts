import type { Parameters, RunConfig, RunLog, Status } from "../../../core/run-log.js";
import type { RunHeader, RunLogStore, RunSummary } from "../../../ports/run-log-store.js";
import { type RunOp, applyOp, branchOp, jsonCopy, placementProblem, runFromHeader, stepOp } from "../shared/run-ops.js";
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
  let changes = 0;

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
    create: async (header: RunHeader) => {
      if (runs.has(header.run_id)) throw runExists(header.run_id, WHERE);
      const run = runFromHeader(header);
      checkWritable(header.run_id, "run", run);
      runs.set(header.run_id, { run, updatedMs: Date.now(), seq: ++changes });
    },
    exists: async (runId: string) => runs.has(runId),
    get: async (runId: string) => jsonCopy(entry(runId).run),
    setStatus: (runId: string, status: Status) => update(runId, { op: "status", location: [], payload: status }),
    setParameters: (runId: string, parameters: Parameters) =>
      update(runId, { op: "parameters", location: [], payload: jsonCopy(parameters) }),
    setRunConfig: (runId: string, runConfig: RunConfig) =>
      update(runId, { op: "run_config", location: [], payload: jsonCopy(runConfig) }),
    putStep: (runId, location, step) => update(runId, stepOp(location, step)),
    putBranch: (runId, location, branch) => update(runId, branchOp(location, branch)),
    list: async () =>
      [...runs.entries()].sort(([, a], [, b]) => b.seq - a.seq).map(([id, found]) => summary(id, found)),
    delete: async (runId: string) => {
      const freedBytes = Buffer.byteLength(JSON.stringify(entry(runId).run));
      runs.delete(runId);
      return { freedBytes };
    },
    flush: async (runId: string) => {
      entry(runId);
    },
  };
}
