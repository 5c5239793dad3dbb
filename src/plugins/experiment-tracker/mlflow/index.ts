import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Config of the `mlflow` tracker (strict: unknown keys are errors). */
export const mlflowTrackerConfigSchema = z.strictObject({
  server_url: z.url({ protocol: /^https?$/, error: "server_url must be an http(s) URL, e.g. http://127.0.0.1:5000" }),
  headers: z.record(z.string(), z.string()).optional(),
  timeout_ms: z.number().int().positive().default(5000),
  experiment_name: z.string().min(1).optional(),
  /** runnable's key, accepted so its config files load; autologging is a Python-side feature. */
  autolog: z.boolean().default(false),
});

/** Mirrors tracked metrics to an MLflow tracking server over its REST API (one MLflow run per run). */
export const mlflowTrackerPlugin = definePlugin({
  kind: "experiment_tracker",
  type: "mlflow",
  description: "mirrors tracked values to an MLflow tracking server (REST API; numbers as metrics, others as params)",
  configSchema: mlflowTrackerConfigSchema,
  async create(config, context) {
    const { createMlflowTracker } = await import("./mlflow.js");
    const { autolog, ...rest } = config;
    if (autolog) context.warn("experiment_tracker mlflow: autolog has no effect in runnable-ts (it is a feature of MLflow's Python client)");
    return createMlflowTracker(rest, context);
  },
});
