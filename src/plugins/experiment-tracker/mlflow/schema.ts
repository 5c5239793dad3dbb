import { z } from "zod";
import { RunnableError } from "../../../core/errors.js";

// The `mlflow` tracker's config: what a services config may say, and where the server comes from when it says nothing.

const serverUrl = z.url({ protocol: /^https?$/, error: "server_url must be an http(s) URL, e.g. http://127.0.0.1:5000" });

/** Config of the `mlflow` tracker (strict: unknown keys are errors); without `server_url`, MLFLOW_TRACKING_URI is used. */
export const mlflowTrackerConfigSchema = z.strictObject({
  server_url: serverUrl.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeout_ms: z.number().int().positive().default(5000),
  experiment_name: z.string().min(1).optional(),
  /** MLflow runs (the parent, map items' children) sent to at once: one request each in flight. */
  max_concurrent_requests: z.number().int().min(1).max(64).optional(),
  /** runnable's key, accepted so its config files load; autologging is a Python-side feature. */
  autolog: z.boolean().default(false),
});

/** The server: `server_url` of the config, else `MLFLOW_TRACKING_URI` (as MLflow's own clients do). */
export function trackingUri(configured: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
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
