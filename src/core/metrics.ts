/** One tracked value as the engine receives it from a task. */
export interface TrackedPoint {
  key: string;
  step: number;
  value: unknown;
  time_ms: number;
}

/** Prefixes of tracking environment variables (ours first, runnable's second). */
export const TRACK_PREFIXES = ["RUNNABLE_TRACK_", "runnable_TRACK_"] as const;

/**
 * Parses `RUNNABLE_TRACK_<key>[_STEP_<n>]`. Only a final `_STEP_<digits>` is a step suffix, so keys
 * containing `_STEP_` elsewhere are kept whole (fixes runnable's crash). Returns undefined for other names.
 */
export function parseTrackVariable(name: string): { key: string; step: number } | undefined {
  const prefix = TRACK_PREFIXES.find((p) => name.startsWith(p));
  if (!prefix || name.length === prefix.length) return undefined;
  const rest = name.slice(prefix.length);
  const match = /^(.+)_STEP_(\d+)$/.exec(rest);
  if (match) return { key: match[1]!, step: Number(match[2]) };
  return { key: rest, step: 0 };
}

/** Decodes a tracked value: JSON when it parses, else the text (numeric text thus becomes a number). */
export function decodeTrackedValue(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}

/**
 * Folds points into runnable's `user_defined_metrics` shape: the last value per (key, step); a key seen
 * only at step 0 is a plain value, any other key is `{"<step>": value}` (so a lone step 3 keeps its step).
 */
export function collapseMetrics(points: readonly TrackedPoint[]): Record<string, unknown> {
  const byKey = new Map<string, Map<number, unknown>>();
  for (const point of points) {
    let steps = byKey.get(point.key);
    if (!steps) byKey.set(point.key, (steps = new Map()));
    steps.set(point.step, point.value);
  }
  const result: Record<string, unknown> = {};
  for (const [key, steps] of byKey) {
    if (steps.size === 1 && steps.has(0)) {
      result[key] = steps.get(0);
      continue;
    }
    const stepwise: Record<string, unknown> = {};
    for (const step of [...steps.keys()].sort((a, b) => a - b)) stepwise[String(step)] = steps.get(step);
    result[key] = stepwise;
  }
  return result;
}

/** Makes a value JSON-safe: `toJSON` honoured, class instances become plain data, non-finite numbers become strings. */
export function toTrackable(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return value.toString();
  if (value === undefined) return null;
  if (typeof value !== "object" || value === null) return value;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

/** When each (key, step) value was recorded (epoch ms of its last recording), for plotting in order. */
export function metricTimes(points: readonly TrackedPoint[]): Record<string, Record<string, number>> {
  const times: Record<string, Record<string, number>> = {};
  for (const point of points) (times[point.key] ??= {})[String(point.step)] = point.time_ms;
  return times;
}
