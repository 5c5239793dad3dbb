import { definePlugin } from "../../../ports/plugin.js";
import { mlflowTrackerConfigSchema, trackingUri } from "./schema.js";

export { mlflowTrackerConfigSchema } from "./schema.js";

/** Mirrors tracked metrics to an MLflow tracking server over its REST API (one MLflow run per run). */
export const mlflowTrackerPlugin = definePlugin({
  kind: "experiment_tracker",
  type: "mlflow",
  description: "mirrors tracked values to an MLflow tracking server (REST API; numbers as metrics, others as params)",
  configSchema: mlflowTrackerConfigSchema,
  async create(config, context) {
    const { createMlflowTracker } = await import("./mlflow.js");
    const { autolog, server_url, ...rest } = config;
    if (autolog) context.warn("experiment_tracker mlflow: autolog has no effect in runnable-ts (it is a feature of MLflow's Python client)");
    return createMlflowTracker({ ...rest, server_url: trackingUri(server_url, context.env) }, context);
  },
});
