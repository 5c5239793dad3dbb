import path from "node:path";
import { definePlugin } from "../../../ports/plugin.js";
import { logFolderConfigSchema } from "../shared/log-folder-config.js";

/** Config of the `file-system` run log store. */
export const fileSystemRunLogStoreConfigSchema = logFolderConfigSchema;

/** The `file-system` run log store: one readable `<log_folder>/<run_id>.json` per run, updated through a journal. */
export const fileSystemRunLogStorePlugin = definePlugin({
  kind: "run_log_store",
  type: "file-system",
  description: "Keeps each run log as <log_folder>/<run_id>.json (default .run_log_store), updated through an append-only journal",
  configSchema: fileSystemRunLogStoreConfigSchema,
  create: async (config, context) =>
    (await import("./file-system.js")).createFileSystemRunLogStore({
      folder: path.resolve(context.cwd, config.log_folder),
      recordedConfig: { log_folder: config.log_folder },
      warn: context.warn,
    }),
  localFolders: (config, context) => [
    { path: path.resolve(context.cwd, config.log_folder), setting: "run_log_store.config.log_folder", value: config.log_folder },
  ],
});
