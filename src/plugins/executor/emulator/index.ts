import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/**
 * runnable 0.50's `emulator` executor (pipelines, 0.36) and job executor: every task step runs in a
 * `runnable execute-single-node` process of its own on this machine — what a container or a pod would
 * run, without either — and records itself in the store, which the walk reads back.
 */
export const emulatorExecutorPlugin = definePlugin({
  kind: "executor",
  type: "emulator",
  description: "runs each task step in a runnable process of its own on this machine (a container's or pod's run, without one)",
  configSchema: z.strictObject({}),
  create: async (_config, context) => (await import("./emulator.js")).createEmulatorExecutor(context),
});
