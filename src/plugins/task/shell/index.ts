import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Runs `command` with `/bin/sh`; parameters and metrics travel through environment variables. */
export const shellTaskPlugin = definePlugin({
  kind: "task",
  type: "shell",
  description: "shell commands run with /bin/sh (RUNNABLE_PRM_* in, exported RUNNABLE_PRM_*/RUNNABLE_TRACK_* out)",
  configSchema: z.strictObject({}),
  async create() {
    const { createShellRunner } = await import("./shell.js");
    return createShellRunner();
  },
});
