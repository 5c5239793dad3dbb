import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Runs Python functions (`command: package.module.function`) and Jupyter notebooks (`command: path.ipynb`). */
export const pythonTaskPlugin = definePlugin({
  kind: "task",
  type: "python",
  description:
    "Python functions (command_type: python, `package.module.function`, run on warm workers reused by a run's steps " +
    "unless warm_worker: false) and Jupyter notebooks (command_type: notebook); " +
    "interpreter from task_runners.python.interpreter or RUNNABLE_PYTHON (default python3), notebooks via nbclient",
  // config section `task_runners: {python: {interpreter, notebook_python, kernel, warm_worker}}`
  configSchema: z.strictObject({
    interpreter: z.string().min(1).optional(),
    notebook_python: z.string().min(1).optional(),
    kernel: z.string().min(1).optional(),
    warm_worker: z.boolean().optional(),
  }),
  async create(config, context) {
    const { createPythonRunner } = await import("./python.js");
    const { interpreter, notebook_python, kernel, warm_worker } = config;
    return createPythonRunner({ python: interpreter, notebook_python, kernel, warm_worker }, context);
  },
});
