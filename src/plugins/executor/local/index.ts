import { availableParallelism } from "node:os";
import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Runs every step in this process; branches run concurrently when `enable_parallel` is set. */
export const localExecutorPlugin = definePlugin({
  kind: "executor",
  type: "local",
  description: "runs steps in this process (branches concurrently with enable_parallel)",
  configSchema: z.strictObject({
    enable_parallel: z.boolean().default(false),
    max_parallel: z.number().int().min(1).optional(),
    overrides: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  }),
  async create(config) {
    const maxParallel = config.enable_parallel ? (config.max_parallel ?? availableParallelism()) : 1;
    return {
      type: "local",
      recordedConfig: { enable_parallel: config.enable_parallel, ...(config.max_parallel ? { max_parallel: config.max_parallel } : {}), overrides: config.overrides },
      maxParallel,
    };
  },
});
