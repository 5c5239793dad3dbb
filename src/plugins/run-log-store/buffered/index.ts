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
  // A store in this process's memory works only where the executor's steps run in this process, and
  // nothing needs the run afterwards (the executor's `memoryStore` capability).
  rules(self, { services: { executor } }) {
    if (executor.capabilities.memoryStore) {
      return [
        {
          level: "info",
          service: "run_log_store",
          message: `run_log_store ${self.type} keeps the run log in memory: nothing is kept for \`runs show\` or re-runs`,
        },
      ];
    }
    const where = executor.capabilities.placement === "rendered" ? " on a persistent volume" : "";
    return [
      {
        level: "error",
        service: "run_log_store",
        message: `Buffered run log store is only supported for local executor (executor ${executor.type}); choose run_log_store file-system or chunked-fs${where}`,
      },
    ];
  },
});
