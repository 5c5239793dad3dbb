import path from "node:path";
import { definePlugin } from "../../../ports/plugin.js";
import { slurmRules } from "./rules.js";
import { buildSlurmConfigSchema } from "./schema.js";

/** The config schema and type, for tools that check a slurm executor config. */
export { buildSlurmConfigSchema, type SlurmConfig } from "./schema.js";

/**
 * Runs every task step as a Slurm batch job (`runnable execute-single-node …` on a compute node), the
 * items of a map step as one job array; the launching process walks the graph from the shared run log
 * store, or a driver job does (`--detach`). Slurm is asked before the run whether it would accept the
 * jobs (`sbatch --test-only`).
 */
export const slurmExecutorPlugin = definePlugin({
  kind: "executor",
  type: "slurm",
  description: "runs each task step as a Slurm batch job (a map step as a job array)",
  configSchema: buildSlurmConfigSchema,
  create: async (config, context) => (await import("./slurm-executor.js")).createSlurmExecutor(config, context),
  localFolders: (config, context) => [
    {
      path: path.resolve(context.cwd, config.working_directory ?? ".", config.job_folder),
      setting: "executor.config.job_folder",
      value: config.job_folder,
    },
  ],
  rules: (self, peers) => slurmRules(self, peers),
});
