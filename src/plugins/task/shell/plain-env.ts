import { decodeEnvValue, plainEnvValue, pythonStr } from "../../../core/parameters.js";
import type { Parameters } from "../../../core/run-log.js";
import type { TaskInvocation } from "../../../ports/task-runner.js";

// runnable 0.50 hands a shell task its parameters as plain environment variables (`$integer`, a string
// as it is, anything else as `json.dumps` writes it; the map item as Python's `str`), and takes back
// the variables its `returns` name from the environment the command leaves. The RUNNABLE_PRM_*
// variables of February-2024 runnable are set as well.

const ENGINE_PREFIXES = ["RUNNABLE_", "runnable_"];

/**
 * The plain variables of an attempt: its JSON and metric parameters, then its map items. As in 0.50
 * they replace launching-environment variables of the same name, but never what the engine sets
 * (RUNNABLE_* variables, the task's secrets); objects are left out, as in 0.50.
 */
export function plainVariables(invocation: Pick<TaskInvocation, "parameters" | "parameterKinds" | "mapVariable" | "node">): Record<string, string> {
  const secrets = new Set(invocation.node.secrets);
  const kept = (name: string): boolean => !secrets.has(name) && !ENGINE_PREFIXES.some((prefix) => name.startsWith(prefix)) && !name.includes("=");
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(invocation.parameters)) {
    if (invocation.parameterKinds[name] !== "object" && kept(name)) env[name] = plainEnvValue(value);
  }
  for (const [name, value] of invocation.mapVariable) if (kept(name)) env[name] = pythonStr(value);
  return env;
}

/** The values of the declared returns found in the command's final environment: JSON when they parse, else text (0.50's rule). */
export function shellReturns(invocation: Pick<TaskInvocation, "returns">, final: Readonly<Record<string, string>>): Parameters {
  const returned: Parameters = {};
  for (const { name } of invocation.returns) {
    if (Object.hasOwn(final, name)) returned[name] = decodeEnvValue(final[name]!, name);
  }
  return returned;
}
