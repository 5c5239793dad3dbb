import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Config of the `buffered` run log store: no keys. */
export const bufferedRunLogStoreConfigSchema = z.strictObject({});

/** The `buffered` run log store: run logs kept in memory, keyed by run id, lost when the process ends. */
export const bufferedRunLogStorePlugin = definePlugin({
  kind: "run_log_store",
  type: "buffered",
  description: "Keeps run logs in memory (lost when the process ends; re-runs of these runs are impossible)",
  configSchema: bufferedRunLogStoreConfigSchema,
  create: async () => (await import("./buffered.js")).createBufferedRunLogStore(),
});
