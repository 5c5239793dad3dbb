import path from "node:path";
import { definePlugin } from "../../../ports/plugin.js";
import { logFolderConfigSchema } from "../shared/log-folder-config.js";

/** Config of the `chunked-fs` run log store. */
export const chunkedFsRunLogStoreConfigSchema = logFolderConfigSchema;

/** The `chunked-fs` run log store: a folder per run with one file per step, branch and parameter. */
export const chunkedFsRunLogStorePlugin = definePlugin({
  kind: "run_log_store",
  type: "chunked-fs",
  description: "Keeps each run as a folder <log_folder>/<run_id>/ with one JSON file per step, branch and parameter",
  configSchema: chunkedFsRunLogStoreConfigSchema,
  create: async (config, context) =>
    (await import("./chunked-fs.js")).createChunkedFsRunLogStore({
      folder: path.resolve(context.cwd, config.log_folder),
      recordedConfig: { log_folder: config.log_folder },
      warn: context.warn,
    }),
  localFolders: (config, context) => [
    { path: path.resolve(context.cwd, config.log_folder), setting: "run_log_store.config.log_folder", value: config.log_folder },
  ],
});
