import { availableParallelism } from "node:os";
import { z } from "zod";
import { overrideProblems, stepTimeLimitMs } from "../../../core/overrides.js";
import { definePlugin } from "../../../ports/plugin.js";
import { inProcessExecutorFields, leafNodes } from "../shared/in-process.js";

/**
 * Runs every step in this process. With `enable_parallel`, the branches of a parallel/map/dag step run
 * concurrently and at most `max_parallel` task steps of a run execute at once, however deeply
 * composites nest (default: the number of CPU cores); without it everything runs one step at a time.
 * `max_step_duration_in_seconds` (overridable per step) stops an attempt that runs too long.
 * `object_serialisation: false` (runnable 0.50's key) keeps the objects tasks return in this process's
 * memory for the run instead of the run's catalog.
 */
export const localExecutorPlugin = definePlugin({
  kind: "executor",
  type: "local",
  description: "runs steps in this process (branches concurrently with enable_parallel, up to max_parallel)",
  configSchema: z.strictObject({ ...inProcessExecutorFields, object_serialisation: z.boolean().default(true) }),
  async create(config, context) {
    if (config.max_parallel !== undefined && !config.enable_parallel) {
      context.warn(`executor local: max_parallel ${config.max_parallel} has no effect without enable_parallel: true (steps run one at a time)`);
    }
    const maxParallel = config.enable_parallel ? (config.max_parallel ?? availableParallelism()) : 1;
    const { overrides, object_serialisation, ...settings } = config;
    return {
      type: "local",
      capabilities: { placement: "in-process", retryByRelaunch: false, memoryStore: true, objectsInMemory: !object_serialisation },
      recordedConfig: {
        enable_parallel: config.enable_parallel,
        ...(config.max_parallel ? { max_parallel: config.max_parallel } : {}),
        ...(config.max_step_duration_in_seconds ? { max_step_duration_in_seconds: config.max_step_duration_in_seconds } : {}),
        overrides,
        ...(object_serialisation ? {} : { object_serialisation }),
      },
      maxParallel,
      stepTimeLimitMs: (node) => stepTimeLimitMs(settings, overrides, "local", node),
      check: (graph) => overrideProblems(settings, overrides, "local", leafNodes(graph)),
    };
  },
});
