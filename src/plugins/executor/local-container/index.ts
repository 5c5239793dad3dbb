import { definePlugin } from "../../../ports/plugin.js";
import { localContainerRules } from "./rules.js";
import { buildLocalContainerConfigSchema } from "./schema.js";

export { buildLocalContainerConfigSchema, type LocalContainerConfig } from "./schema.js";

/**
 * Runs every task step in its own container of `docker_image` (§11.4), through podman or docker: the
 * step's container runs `runnable execute-single-node ...` over the mounted stores. The runtime and the
 * images are checked before any step runs.
 */
export const localContainerExecutorPlugin = definePlugin({
  kind: "executor",
  type: "local-container",
  description: "runs each task step in a container of docker_image (podman or docker)",
  configSchema: buildLocalContainerConfigSchema,
  create: async (config, context) => (await import("./local-container.js")).createLocalContainerExecutor(config, context),
  rules: (self, peers) => localContainerRules(self, peers),
});
