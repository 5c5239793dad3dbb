import type { PluginContext } from "../../../ports/plugin.js";
import type { RunLogStore, RunLogStoreDriver, RunOp } from "../../../ports/run-log-store.js";
import { openS3, recordedLocation, S3_CREDENTIAL_VARIABLES } from "../../shared/s3/s3-client.js";
import { s3Place } from "../../shared/s3/s3-location.js";
import { createNanoClock } from "../chunked-fs/chunk-names.js";
import { createKeyedQueue } from "../shared/keyed-queue.js";
import { createRunLogStore } from "../shared/run-log-store-facade.js";
import { applyOp } from "../shared/run-ops.js";
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

/** Applies one op (its payload is the façade's copy: it is read when the op's turn comes). */
function applyOne(store: S3StoreState, runId: string, op: RunOp): Promise<void> {
  switch (op.op) {
    case "status":
      return updateRecord(store, runId, `set the status of run "${runId}"`, (record) => void (record.status = op.payload));
    case "parameters":
      return updateRecord(store, runId, `set the parameters of run "${runId}"`, (record) => void (record.parameters = op.payload));
    case "run_config":
      return updateRecord(store, runId, `set the run_config of run "${runId}"`, (record) => void (record.run_config = op.payload));
    case "parameter_kinds":
      return updateRecord(store, runId, `set the parameter kinds of run "${runId}"`, (record) => void applyOp(record, op));
    case "step":
      return putEntity(store, runId, "step", op.location, op.payload.internal_name, op.payload, op.seq);
    case "branch":
      // The façade refuses a branch with an empty location.
      return putEntity(store, runId, "branch", op.location, op.location[op.location.length - 1]![1], op.payload, op.seq);
    case "remove":
      return removeStep(store, runId, op.location, op.payload);
  }
}

/** Applies ops in order; the first is queued before apply returns (as the call that made it). */
async function apply(store: S3StoreState, runId: string, ops: readonly RunOp[]): Promise<void> {
  for (const op of ops) await applyOne(store, runId, op);
}

/**
 * The `s3` store's driver (see docs/stores.md): one object per step and branch, conditional writes for
 * the run record and the lease (`type`: the name it was configured by, e.g. runnable 0.50's `minio`).
 */
export function createS3Driver(config: S3RunLogStoreConfig, context: PluginContext, type = "s3"): RunLogStoreDriver {
  // The store retries an unreachable server itself, for retry_seconds: the SDK tries each request once.
  const access = openS3(config, context.env, "run_log_store.config", { warn: context.warn, maxAttempts: 1 });
  const store: S3StoreState = {
    access,
    objects: storeObjects(access, config.retry_seconds, context.warn),
    where: `the ${type} run log store (${access.display})`,
    context,
    queue: createKeyedQueue(),
    runs: lru<RunState>(CACHED_RUNS),
    clock: createNanoClock(),
  };
  const leaseKey = (runId: string): string => `${dirOf(store, runId)}${LEASE_OBJECT}`;
  return {
    type,
    recordedConfig: recordedLocation(config),
    traits: {
      persistent: true,
      sharing: "server",
      leases: true,
      server: { address: config.endpoint_url ?? "", addressSetting: "endpoint_url", credentialVariables: S3_CREDENTIAL_VARIABLES },
      place: s3Place(config),
    },
    where: store.where,
    create: (run) => createRun(store, run),
    apply: (runId, ops) => apply(store, runId, ops),
    read: (runId) => readRun(store, runId),
    exists: (runId) => store.objects.head(`${dirOf(store, runId)}${RUN_OBJECT}`, `look up run "${runId}"`),
    list: () => listS3Runs(store.objects, context.warn),
    remove: (runId) => deleteRun(store, runId),
    flush: (runId) => recheckRun(store, runId),
    acquireLease: (runId, options) => acquireS3Lease(store.objects, leaseKey(runId), runId, options),
    leaseState: (runId) => s3LeaseState(store.objects, leaseKey(runId), runId),
  };
}

/** The `s3` run log store: the façade over {@link createS3Driver}. */
export function createS3RunLogStore(config: S3RunLogStoreConfig, context: PluginContext, type = "s3"): RunLogStore {
  return createRunLogStore(createS3Driver(config, context, type));
}
