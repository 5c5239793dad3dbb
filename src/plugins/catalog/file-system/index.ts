import path from "node:path";
import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";
import { dataHashFields } from "../data-hash.js";
import { staleFilesSchema } from "../fresh-files.js";

/** Config of the `file-system` catalog (runnable's keys; unknown keys are errors). */
export const fileSystemCatalogConfigSchema = z.strictObject({
  catalog_location: z.string().min(1).default(".catalog"),
  ...dataHashFields(),
  /** A step's put of a file older than its attempt: `warn` (left out), `refuse` (the step fails) or `allow` (stored: runnable's behaviour). */
  stale_files: staleFilesSchema,
});

/** The `file-system` catalog: files live under `<catalog_location>/<run_id>/`, mirroring the working directory. */
export const fileSystemCatalogPlugin = definePlugin({
  kind: "catalog",
  type: "file-system",
  description: "Copies files to and from <catalog_location>/<run_id>/ on the local disk (default .catalog)",
  configSchema: fileSystemCatalogConfigSchema,
  create: async (config, context) => (await import("./file-system.js")).createFileSystemCatalog(config, context),
  localFolders: (config, context) => [
    { path: path.resolve(context.cwd, config.catalog_location), setting: "catalog.config.catalog_location", value: config.catalog_location },
  ],
});
