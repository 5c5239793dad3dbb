import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";
import { type S3Location, s3LocationFields } from "../../shared/s3/s3-location.js";

/** Builds the config schema of the `s3` run log store (when a config names it; credentials come from the standard AWS chain, never from here). */
export function buildS3RunLogStoreConfigSchema() {
  return z.strictObject({
    ...s3LocationFields(),
    /** How long a read or write waits for an unreachable server before the run fails. */
    retry_seconds: z.number().min(0).max(3600).default(15),
  });
}

/** Validated config of the s3 run log store (credentials only from a MinIO config: see `minio.ts`). */
export type S3RunLogStoreConfig = z.output<ReturnType<typeof buildS3RunLogStoreConfigSchema>> & Pick<S3Location, "credentials">;

/** The `s3` run log store: runnable's chunked layout as objects of an S3 (or S3-compatible) bucket. */
export const s3RunLogStorePlugin = definePlugin({
  kind: "run_log_store",
  type: "s3",
  description: "Keeps each run as objects <prefix>/<run_id>/RunLog.json, StepLog-*.json, BranchLog-*.json in an S3 bucket",
  configSchema: buildS3RunLogStoreConfigSchema,
  create: async (config, context) => (await import("./s3-store.js")).createS3RunLogStore(config, context),
});
