import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Runs an exported TypeScript/JavaScript function in-process (`command: path/to/module.ts#export`). */
export const typescriptTaskPlugin = definePlugin({
  kind: "task",
  type: "typescript",
  description: "TypeScript/JavaScript functions, `command: <module path>#<export>`, run in-process",
  configSchema: z.strictObject({}),
  async create() {
    const { createTypescriptRunner } = await import("./typescript.js");
    return createTypescriptRunner();
  },
});
