import type { RunLogStore } from "../ports/run-log-store.js";
import { maskDeep } from "./masking.js";

/**
 * The run log store as a run writes to it: every value written — the run's header and `run_config`,
 * parameters, step logs (attempt messages, catalog entry names), branch logs — has the run's secret
 * values masked, including those learnt during the run (`secrets` is the run's live set). Reads,
 * leases and locations pass through (locations come from masked parameters already; masking them
 * could merge two entries). Without secrets the store is returned as it is.
 */
export function maskingRunLogStore(store: RunLogStore, secrets: ReadonlySet<string>): RunLogStore {
  const mask = <T>(value: T): T => maskDeep(value, secrets);
  return {
    get type() {
      return store.type;
    },
    get recordedConfig() {
      return store.recordedConfig;
    },
    get traits() {
      return store.traits;
    },
    create: (header) => store.create({ ...mask(header), run_id: header.run_id }),
    exists: (runId) => store.exists(runId),
    get: (runId) => store.get(runId),
    setStatus: (runId, status) => store.setStatus(runId, status),
    setParameters: (runId, parameters, kinds) => store.setParameters(runId, mask(parameters), kinds),
    setRunConfig: (runId, runConfig) => store.setRunConfig(runId, { ...mask(runConfig), run_id: runConfig.run_id }),
    putStep: (runId, location, step, seq) => store.putStep(runId, location, mask(step), seq),
    putBranch: (runId, location, branch, seq) => store.putBranch(runId, location, mask(branch), seq),
    removeStep: (runId, location, internalName) => store.removeStep(runId, location, internalName),
    list: (...args) => store.list(...args),
    delete: (runId) => store.delete(runId),
    flush: (runId) => store.flush(runId),
    acquireLease: (runId, options) => store.acquireLease(runId, options),
    leaseState: (runId) => store.leaseState(runId),
  };
}
