import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Runs an exported TypeScript/JavaScript function in-process (`command: path/to/module.ts#export`). */
export const typescriptTaskPlugin = definePlugin({
  kind: "task",
  type: "typescript",
  description: "TypeScript/JavaScript functions, `command: <module path>#<export>`, run in warm worker threads of the CLI",
  configSchema: z.strictObject({
    /** Tasks run in worker threads, where a stop or a time limit reaches even a loop that never yields; false: on the CLI's own thread. */
    worker_threads: z.boolean().default(true),
  }),
  async create(config) {
    const { createTypescriptRunner } = await import("./typescript.js");
    return createTypescriptRunner(config);
  },
});
