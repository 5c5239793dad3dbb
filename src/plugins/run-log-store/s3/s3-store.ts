import type { PluginContext } from "../../../ports/plugin.js";
import type { RunLogStore } from "../../../ports/run-log-store.js";
import { openS3, recordedLocation, S3_CREDENTIAL_VARIABLES } from "../../shared/s3/s3-client.js";
import { s3Place } from "../../shared/s3/s3-location.js";
import { createNanoClock } from "../chunked-fs/chunk-names.js";
import { createKeyedQueue } from "../shared/keyed-queue.js";
import { checkWritable } from "../shared/run-log-schema.js";
import { branchOp, stepOp } from "../shared/run-ops.js";
import { cloneJson } from "../../../core/parameters.js";
import { validateRunId } from "../../../core/run-id.js";
import { misplacedWrite } from "../shared/store-errors.js";
import type { S3RunLogStoreConfig } from "./index.js";
import { listS3Runs } from "./list-runs.js";
import { LEASE_OBJECT, RUN_OBJECT } from "./run-objects.js";
import { acquireS3Lease, s3LeaseState } from "./s3-lease.js";
import { storeObjects } from "./s3-objects.js";
import {
  type RunState,
  type S3StoreState,
  createRun,
  deleteRun,
  dirOf,
  lru,
  putEntity,
  readRun,
  recheckRun,
  removeStep,
  updateRecord,
} from "./s3-run-state.js";

const CACHED_RUNS = 8;

/** The `s3` run log store (see docs/stores.md): one object per step and branch, conditional writes for the run record and the lease. */
export function createS3RunLogStore(config: S3RunLogStoreConfig, context: PluginContext): RunLogStore {
  const access = openS3(config, context.env, "run_log_store.config");
  const store: S3StoreState = {
    access,
    objects: storeObjects(access, config.retry_seconds, context.warn),
    where: `the s3 run log store (${access.display})`,
    context,
    queue: createKeyedQueue(),
    runs: lru<RunState>(CACHED_RUNS),
    clock: createNanoClock(),
  };
  return {
    type: "s3",
    recordedConfig: recordedLocation(config),
    traits: {
      persistent: true,
      sharing: "server",
      leases: true,
      server: { address: config.endpoint_url ?? "", addressSetting: "endpoint_url", credentialVariables: S3_CREDENTIAL_VARIABLES },
      place: s3Place(config),
    },
    create: (header) => createRun(store, header),
    exists: async (runId) => validateRunId(runId) === undefined && (await store.objects.head(`${dirOf(store, runId)}${RUN_OBJECT}`, `look up run "${runId}"`)),
    get: (runId) => readRun(store, runId),
    setStatus: async (runId, status) => {
      checkWritable(runId, "op", { op: "status", location: [], payload: status });
      await updateRecord(store, runId, `set the status of run "${runId}"`, (record) => void (record.status = status));
    },
    setParameters: async (runId, parameters) => {
      const payload = cloneJson(parameters);
      checkWritable(runId, "op", { op: "parameters", location: [], payload });
      await updateRecord(store, runId, `set the parameters of run "${runId}"`, (record) => void (record.parameters = payload));
    },
    setRunConfig: async (runId, runConfig) => {
      const payload = cloneJson(runConfig);
      checkWritable(runId, "op", { op: "run_config", location: [], payload });
      await updateRecord(store, runId, `set the run_config of run "${runId}"`, (record) => void (record.run_config = payload));
    },
    putStep: async (runId, location, step, seq) => {
      const op = stepOp(location, step);
      checkWritable(runId, "op", op);
      await putEntity(store, runId, "step", op.location, op.payload.internal_name, op.payload, seq);
    },
    putBranch: async (runId, location, branch, seq) => {
      const op = branchOp(location, branch);
      checkWritable(runId, "op", op);
      const last = op.location[op.location.length - 1];
      if (!last) throw misplacedWrite(runId, `cannot put branch log "${op.payload.internal_name}": its location is empty`);
      await putEntity(store, runId, "branch", op.location, last[1], op.payload, seq);
    },
    removeStep: (runId, location, internalName) => removeStep(store, runId, location, internalName),
    list: () => listS3Runs(store.objects, context.warn),
    delete: (runId) => deleteRun(store, runId),
    flush: (runId) => recheckRun(store, runId),
    acquireLease: (runId, options) => acquireS3Lease(store.objects, `${dirOf(store, runId)}${LEASE_OBJECT}`, runId, options),
    leaseState: async (runId) =>
      validateRunId(runId) === undefined ? s3LeaseState(store.objects, `${dirOf(store, runId)}${LEASE_OBJECT}`, runId) : { state: "none" },
  };
}
