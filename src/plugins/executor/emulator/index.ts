import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Config of runnable 0.50's `emulator` pipeline executor (its keys: `overrides`; and this project's step time limit). */
export const emulatorConfigSchema = z.strictObject({
  /** Longest one attempt of a step may run, in seconds (overridable per step). */
  max_step_duration_in_seconds: z.number().positive().optional(),
  overrides: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});

/**
 * runnable 0.50's `emulator`: the graph is walked here and every task step runs in a process of its own,
 * `runnable execute-single-node …` on this machine, as a container executor runs it but without
 * containers; the step records itself in the shared run log store. One step at a time.
 */
export const emulatorExecutorPlugin = definePlugin({
  kind: "executor",
  type: "emulator",
  description: "runs each task step in its own `runnable execute-single-node` process on this machine (runnable 0.50's emulator)",
  configSchema: emulatorConfigSchema,
  create: async (config, context) => (await import("./emulator.js")).createEmulatorExecutor(config, context),
});
