import { RunnableError } from "../../../core/errors.js";
import { definePlugin } from "../../../ports/plugin.js";
import { localContainerConfigSchema } from "./schema.js";

export { localContainerConfigSchema, type LocalContainerConfig } from "./schema.js";

/**
 * Runs every task step in its own container of `docker_image` (§11.4). The config, the container
 * command of a step (`container-run.ts`) and the runtime/image check (`check.ts`) are here; running
 * steps through them is wired by the engine's step launcher (not yet: `create` refuses to run).
 */
export const localContainerExecutorPlugin = definePlugin({
  kind: "executor",
  type: "local-container",
  description: "runs each task step in a container of docker_image (podman or docker)",
  configSchema: localContainerConfigSchema,
  async create() {
    // TODO(lead): launch steps through containerRunCommand once the executor port can launch steps.
    throw new RunnableError("UNSUPPORTED", "executor local-container cannot run pipelines yet in this version", {
      hint: "use executor local, or argo to render a workflow",
    });
  },
});
