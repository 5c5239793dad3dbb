import { z } from "zod";
import { RunnableError } from "../../../core/errors.js";
import { definePlugin } from "../../../ports/plugin.js";

/** Placeholder for `python` tasks (runnable's default command type) until the Python runner lands. */
export const pythonTaskPlugin = definePlugin({
  kind: "task",
  type: "python",
  description: "Python functions (not available yet)",
  configSchema: z.strictObject({}),
  async create() {
    const unavailable = (): never => {
      throw new RunnableError("UNSUPPORTED", "Python tasks are not available yet", {
        hint: "Use command_type: shell or typescript for now; a Python runner is planned.",
      });
    };
    return {
      commandTypes: ["python", "notebook"],
      async check(node) {
        const kind = node.task.command_type === "notebook" ? "Notebook" : "Python";
        return [`step "${node.internalName}": ${kind} tasks are not available yet (command_type: ${node.task.command_type})`];
      },
      run: async () => unavailable(),
    };
  },
});
