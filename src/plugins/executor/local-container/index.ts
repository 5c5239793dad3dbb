import { definePlugin } from "../../../ports/plugin.js";
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
  async create(config, context) {
    const { createLocalContainerExecutor } = await import("./local-container.js");
    const service = (key: string) => {
      const chosen = context.services?.[key];
      return { type: chosen?.type ?? "", config: (chosen?.config ?? {}) as Record<string, unknown> };
    };
    return createLocalContainerExecutor(config, context, () => ({
      run_log_store: service("run_log_store"),
      catalog: service("catalog"),
      secrets: service("secrets"),
    }));
  },
});
