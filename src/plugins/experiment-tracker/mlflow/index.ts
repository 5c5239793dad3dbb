import { z } from "zod";
import { RunnableError } from "../../../core/errors.js";
import { definePlugin } from "../../../ports/plugin.js";

/** The server: `server_url` of the config, else `MLFLOW_TRACKING_URI` (as MLflow's own clients do). */
function trackingUri(configured: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  if (configured) return configured;
  const fromEnv = env["MLFLOW_TRACKING_URI"];
  if (!fromEnv) {
    throw new RunnableError("CONFIG_INVALID", "experiment_tracker mlflow has no server: its config has no server_url and MLFLOW_TRACKING_URI is not set", {
      hint: "add server_url: http://<host>:<port> under experiment_tracker.config, or export MLFLOW_TRACKING_URI=http://<host>:<port>",
    });
  }
  if (!serverUrl.safeParse(fromEnv).success) {
    throw new RunnableError(
      "CONFIG_INVALID",
      `MLFLOW_TRACKING_URI "${fromEnv}" is not an http(s) URL (runnable-ts talks to MLflow tracking servers over REST)`,
      {
        hint: "set it to the tracking server's address, e.g. http://127.0.0.1:5000, or give server_url in the config",
      },
    );
  }
  return fromEnv;
}

const serverUrl = z.url({ protocol: /^https?$/, error: "server_url must be an http(s) URL, e.g. http://127.0.0.1:5000" });

/** Config of the `mlflow` tracker (strict: unknown keys are errors); without `server_url`, MLFLOW_TRACKING_URI is used. */
export const mlflowTrackerConfigSchema = z.strictObject({
  server_url: serverUrl.optional(),
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
    const { autolog, server_url, ...rest } = config;
    if (autolog) context.warn("experiment_tracker mlflow: autolog has no effect in runnable-ts (it is a feature of MLflow's Python client)");
    return createMlflowTracker({ ...rest, server_url: trackingUri(server_url, context.env) }, context);
  },
});
