import { decodeTrackedValue, parseTrackVariable, type TrackedPoint } from "./metrics.js";
import { PARAMETER_PREFIXES, decodeEnvValue } from "./parameters.js";
import type { Parameters } from "./run-log.js";

/** Parses `env -0` output (NUL-separated `NAME=value` entries; values may hold newlines and `=`). */
export function parseEnvDump(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of text.split("\0")) {
    const at = entry.indexOf("=");
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

/**
 * What a subprocess handed back through its final environment: parameters it set or changed
 * (compared with what it was given; `RUNNABLE_PRM_` wins over `runnable_PRM_` when both changed) and
 * every `RUNNABLE_TRACK_*` / `runnable_TRACK_*` value.
 */
export function outputsFromEnv(
  given: Readonly<Record<string, string | undefined>>,
  final: Readonly<Record<string, string>>,
  timeMs: number,
): { parameters: Parameters; metrics: TrackedPoint[] } {
  const parameters: Parameters = {};
  for (const prefix of [...PARAMETER_PREFIXES].reverse()) {
    for (const [name, value] of Object.entries(final)) {
      if (!name.startsWith(prefix) || name.length === prefix.length) continue;
      if (given[name] === value) continue;
      parameters[name.slice(prefix.length)] = decodeEnvValue(value, name);
    }
  }
  const metrics: TrackedPoint[] = [];
  for (const [name, value] of Object.entries(final)) {
    if (given[name] === value) continue;
    const parsed = parseTrackVariable(name);
    if (parsed) metrics.push({ ...parsed, value: decodeTrackedValue(value), time_ms: timeMs });
  }
  metrics.sort((a, b) => a.key.localeCompare(b.key) || a.step - b.step);
  return { parameters, metrics };
}
