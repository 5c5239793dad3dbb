import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";
import { inProcessExecutorFields } from "../shared/in-process.js";

/** One patch: what replaces a task's command (same task kind; runnable's keys). */
const patchSchema = () =>
  z.strictObject({
    command: z.string().min(1),
    /** Accepted for runnable's configs and ignored: a patch keeps the task's kind. */
    command_type: z.string().optional(),
    notebook_output_path: z.string().optional(),
    output_cell_tag: z.string().optional(),
    optional_ploomber_args: z.record(z.string(), z.unknown()).optional(),
  });

/** Builds the config schema of the `mocked` executor (when a config names it). */
export function buildMockedExecutorConfigSchema() {
  return z.strictObject({
    ...inProcessExecutorFields,
    /** Step name (short name: every step of that name, in every branch) → its patch. */
    patches: z.record(z.string(), patchSchema()).default({}),
  });
}

/**
 * Runs a pipeline here with its tasks short-circuited: a task or stub not named in `patches` is
 * recorded as run (`mock: true`, SUCCESS) without running; a patched task runs the patch for real.
 * Composite and terminal steps behave as with `local`; catalog get/put still run.
 */
export const mockedExecutorPlugin = definePlugin({
  kind: "executor",
  type: "mocked",
  description: "runs the pipeline with tasks mocked (recorded, not run) except those patched in `patches`",
  configSchema: buildMockedExecutorConfigSchema,
  create: async (config, context) => (await import("./mocked.js")).createMockedExecutor(config, context),
});
