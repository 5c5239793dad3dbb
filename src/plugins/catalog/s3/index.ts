import { z } from "zod";
import type { Catalog } from "../../../ports/catalog.js";
import { definePlugin, type IntegrationFinding, type Peers } from "../../../ports/plugin.js";
import { minioFields, minioLocation } from "../../shared/s3/minio-location.js";
import { s3LocationFields } from "../../shared/s3/s3-location.js";
import { dataHashFields } from "../data-hash.js";
import { staleFilesSchema } from "../fresh-files.js";

/** The catalog writing where the run log store keeps its records (same server, bucket and prefix) is warned about. */
function sharedPlaceFindings(self: Catalog, { services: { run_log_store: store } }: Peers): IntegrationFinding[] {
  if (self.traits.place === undefined || self.traits.place !== store.traits.place) return [];
  return [
    {
      level: "warning",
      service: "catalog",
      message: `catalog ${self.type} and run_log_store ${store.type} share one bucket and prefix, so a cataloged file named like a run log object (RunLog.json) would replace it; give them different prefixes`,
    },
  ];
}

/** Builds the config schema of the `s3` catalog (when a config names it; credentials come from the standard AWS chain, never from here). */
export const buildS3CatalogConfigSchema = () => z.strictObject({ ...s3LocationFields(), ...dataHashFields(), stale_files: staleFilesSchema });

/** Validated config of the s3 catalog. */
export type S3CatalogConfig = z.output<ReturnType<typeof buildS3CatalogConfigSchema>>;

/** The `s3` catalog: files live under `<prefix>/<run_id>/` in an S3 (or S3-compatible) bucket, mirroring the working directory. */
export const s3CatalogPlugin = definePlugin({
  kind: "catalog",
  type: "s3",
  description: "Copies files to and from s3://<bucket>/<prefix>/<run_id>/ (streamed, multipart for large files)",
  configSchema: buildS3CatalogConfigSchema,
  create: async (config, context) => (await import("./s3-catalog.js")).createS3Catalog(config, context),
  rules: (self, peers) => sharedPlaceFindings(self, peers),
});

/** Builds the config schema of the `minio` catalog: runnable 0.50's keys (endpoint, keys, `bucket[/prefix]`, default bucket `runnable`). */
export const buildMinioCatalogConfigSchema = () => z.strictObject({ ...minioFields("runnable"), ...dataHashFields(), stale_files: staleFilesSchema });

/** runnable 0.50's `minio` catalog: the `s3` catalog on a MinIO server, configured with 0.50's keys. */
export const minioCatalogPlugin = definePlugin({
  kind: "catalog",
  type: "minio",
  description: "runnable 0.50's MinIO catalog: the s3 catalog at endpoint_url (default http://localhost:9002), bucket[/prefix] (default runnable)",
  configSchema: buildMinioCatalogConfigSchema,
  create: async ({ large_file_hash, large_file_threshold_bytes, stale_files, ...minio }, context) =>
    (await import("./s3-catalog.js")).createS3Catalog({ ...minioLocation(minio), large_file_hash, large_file_threshold_bytes, stale_files }, context, "minio"),
  rules: (self, peers) => sharedPlaceFindings(self, peers),
});
