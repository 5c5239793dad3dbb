import type { Parameters } from "./run-log.js";

/** Prefixes under which parameters travel in the environment (ours first, runnable's second). */
export const PARAMETER_PREFIXES = ["RUNNABLE_PRM_", "runnable_PRM_"] as const;

/** Decodes an environment value: JSON when it parses, else the raw string. */
export function decodeEnvValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Encodes a parameter for the environment: JSON (strings keep their quotes, as runnable does). */
export function encodeEnvValue(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/** Parameters found in an environment (keys keep their case; `RUNNABLE_PRM_` wins over `runnable_PRM_`). */
export function parametersFromEnv(env: Record<string, string | undefined>): Parameters {
  const found: Parameters = {};
  for (const prefix of [...PARAMETER_PREFIXES].reverse()) {
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined || !name.startsWith(prefix) || name.length === prefix.length) continue;
      found[name.slice(prefix.length)] = decodeEnvValue(value);
    }
  }
  return found;
}

/** Environment variables carrying the given parameters under both prefixes. */
export function parametersToEnv(parameters: Parameters): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) {
    const encoded = encodeEnvValue(value);
    for (const prefix of PARAMETER_PREFIXES) env[`${prefix}${key}`] = encoded;
  }
  return env;
}

/** Deep structural equality of two JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A JSON deep copy (parameters are JSON values). */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
