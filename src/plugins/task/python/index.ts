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
  // A Python SDK script (`runnable execute -f pipeline.py`) runs with this interpreter and hands its pipeline over.
  pipelineScripts: {
    extensions: [".py"],
    async launch(file, config, context) {
      const { pythonPath } = await import("./interpreter.js");
      const interpreter = config.interpreter || context.env["RUNNABLE_PYTHON"] || "python3";
      return {
        command: interpreter,
        args: [file],
        env: { PYTHONPATH: pythonPath(context.env["PYTHONPATH"]), PYTHONUNBUFFERED: "1" },
        what: `Python interpreter "${interpreter}"`,
        missingHint:
          "install Python 3 (e.g. apt-get install python3), or name the interpreter in RUNNABLE_PYTHON or in the config's task_runners.python.interpreter",
      };
    },
  },
});
