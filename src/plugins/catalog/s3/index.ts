import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";
import { s3LocationFields } from "../../shared/s3/s3-location.js";
import { staleFilesSchema } from "../fresh-files.js";

/** Builds the config schema of the `s3` catalog (when a config names it; credentials come from the standard AWS chain, never from here). */
export const buildS3CatalogConfigSchema = () => z.strictObject({ ...s3LocationFields(), stale_files: staleFilesSchema });

/** Validated config of the s3 catalog. */
export type S3CatalogConfig = z.output<ReturnType<typeof buildS3CatalogConfigSchema>>;

/** The `s3` catalog: files live under `<prefix>/<run_id>/` in an S3 (or S3-compatible) bucket, mirroring the working directory. */
export const s3CatalogPlugin = definePlugin({
  kind: "catalog",
  type: "s3",
  description: "Copies files to and from s3://<bucket>/<prefix>/<run_id>/ (streamed, multipart for large files)",
  configSchema: buildS3CatalogConfigSchema,
  create: async (config, context) => (await import("./s3-catalog.js")).createS3Catalog(config, context),
  rules(self, { services: { run_log_store: store } }) {
    if (self.traits.place === undefined || self.traits.place !== store.traits.place) return [];
    return [
      {
        level: "warning",
        service: "catalog",
        message: `catalog ${self.type} and run_log_store ${store.type} share one bucket and prefix, so a cataloged file named like a run log object (RunLog.json) would replace it; give them different prefixes`,
      },
    ];
  },
});
