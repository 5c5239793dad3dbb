import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";
import { minioFields, minioLocation } from "../../shared/s3/minio-location.js";

// runnable 0.50's `minio` and `chunked-minio` run log stores are served by the `s3` store, with 0.50's
// config keys. Both keep this project's chunked layout (RunLog.json, StepLog-*, BranchLog-* per run);
// runnable 0.50's `minio` writes one JSON per run instead: runs are not shared with runnable itself.

/** Builds the config schema of runnable 0.50's MinIO run log stores (bucket default `runnable/run-logs`). */
export function buildMinioRunLogStoreConfigSchema() {
  return z.strictObject({
    ...minioFields("runnable/run-logs"),
    /** How long a read or write waits for an unreachable server before the run fails (as the s3 store). */
    retry_seconds: z.number().min(0).max(3600).default(15),
  });
}

/** The plug-in of one of runnable 0.50's MinIO store names. */
function minioStorePlugin(type: "minio" | "chunked-minio") {
  return definePlugin({
    kind: "run_log_store",
    type,
    description: `runnable 0.50's ${type} run log store: the s3 store at endpoint_url (default http://localhost:9002), bucket[/prefix] (default runnable/run-logs)`,
    configSchema: buildMinioRunLogStoreConfigSchema,
    create: async ({ retry_seconds, ...minio }, context) =>
      (await import("./s3-store.js")).createS3RunLogStore({ ...minioLocation(minio), retry_seconds, timeout_seconds: minio.timeout_seconds }, context, type),
  });
}

/** runnable 0.50's `minio` run log store. */
export const minioRunLogStorePlugin = minioStorePlugin("minio");

/** runnable 0.50's `chunked-minio` run log store. */
export const chunkedMinioRunLogStorePlugin = minioStorePlugin("chunked-minio");
