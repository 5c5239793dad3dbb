import path from "node:path";
import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Config of the `file-system` run log store (runnable's keys; unknown keys are errors). */
export const fileSystemRunLogStoreConfigSchema = z.strictObject({
  log_folder: z.string().min(1).default(".run_log_store"),
});

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
});
