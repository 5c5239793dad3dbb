import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./cli.js";

/** The real MLflow server's URL: $MLFLOW_TRACKING_URI, else the one `scripts/mlflow-server.sh start` wrote. */
export function mlflowUri(): string | undefined {
  if (process.env.MLFLOW_TRACKING_URI) return process.env.MLFLOW_TRACKING_URI;
  const state = join(REPO, ".cache", "mlflow.env");
  if (!existsSync(state)) return undefined;
  return /^MLFLOW_TRACKING_URI=(.+)$/m.exec(readFileSync(state, "utf8"))?.[1]?.trim();
}

/** Calls MLflow's REST API (GET with query, or POST with a JSON body). */
export async function mlflow(uri: string, path: string, body?: Record<string, unknown>): Promise<any> {
  const url = `${uri}/api/2.0/mlflow/${path}`;
  const response = body ? await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) : await fetch(url);
  const json = await response.json();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
