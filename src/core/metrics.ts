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

/** The values of one key: steps in recording order until a step comes again or out of order. */
interface KeySeries {
  steps: number[];
  values: unknown[];
  times: number[];
  /** Step → position, built once a step is recorded again or below the highest so far. */
  index?: Map<number, number>;
  sorted: boolean;
}

/**
 * The metrics of one attempt, collapsed as they are recorded: the last value (and when it was recorded)
 * per (key, step). Recording steps in increasing order, the common case, is an array push.
 */
export class MetricSeries implements Iterable<TrackedPoint> {
  readonly #keys = new Map<string, KeySeries>();

  /** A series of `points` (the same object when it already is one). */
  static from(points: Iterable<TrackedPoint>): MetricSeries {
    if (points instanceof MetricSeries) return points;
    const series = new MetricSeries();
    for (const point of points) series.record(point.key, point.step, point.value, point.time_ms);
    return series;
  }

  /** Records `value` for `key` at `step`; a later value at the same step replaces the earlier one. */
  record(key: string, step: number, value: unknown, timeMs: number): void {
    let series = this.#keys.get(key);
    if (!series) this.#keys.set(key, (series = { steps: [], values: [], times: [], sorted: true }));
    const last = series.steps.length - 1;
    if (series.index === undefined && (last < 0 || step > series.steps[last]!)) {
      series.steps.push(step);
      series.values.push(value);
      series.times.push(timeMs);
      return;
    }
    series.index ??= new Map(series.steps.map((s, i) => [s, i]));
    const at = series.index.get(step);
    if (at !== undefined) {
      series.values[at] = value;
      series.times[at] = timeMs;
      return;
    }
    if (step < series.steps[last]!) series.sorted = false;
    series.index.set(step, series.steps.length);
    series.steps.push(step);
    series.values.push(value);
    series.times.push(timeMs);
  }

  /** Number of (key, step) values kept. */
  get size(): number {
    let size = 0;
    for (const series of this.#keys.values()) size += series.steps.length;
    return size;
  }

  /** runnable's `user_defined_metrics`: a key seen only at step 0 is a plain value, any other is `{"<step>": value}`. */
  collapsed(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, series] of this.#keys) {
      if (series.steps.length === 1 && series.steps[0] === 0) {
        result[key] = series.values[0];
        continue;
      }
      const stepwise: Record<string, unknown> = {};
      for (const i of orderOf(series)) stepwise[series.steps[i]!] = series.values[i];
      result[key] = stepwise;
    }
    return result;
  }

  /** When each value was recorded, per key in increasing step order, as {@link encodeMetricTimes} writes it. */
  times(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [key, series] of this.#keys) result[key] = encodeMetricTimes(orderOf(series).map((i) => series.times[i]!));
    return result;
  }

  /** The kept values as points, per key in increasing step order. */
  *[Symbol.iterator](): Iterator<TrackedPoint> {
    for (const [key, series] of this.#keys) {
      for (const i of orderOf(series)) yield { key, step: series.steps[i]!, value: series.values[i], time_ms: series.times[i]! };
    }
  }
}

/** Positions of a key's values in increasing step order. */
function orderOf(series: KeySeries): number[] {
  const order = new Array<number>(series.steps.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return series.sorted ? order : order.sort((a, b) => series.steps[a]! - series.steps[b]!);
}

/**
 * Folds points into runnable's `user_defined_metrics` shape: the last value per (key, step); a key seen
 * only at step 0 is a plain value, any other key is `{"<step>": value}` (so a lone step 3 keeps its step).
 */
export function collapseMetrics(points: Iterable<TrackedPoint>): Record<string, unknown> {
  return MetricSeries.from(points).collapsed();
}

/**
 * `metric_times_ms` of one key: the epoch-ms times of its values in increasing step order, as one
 * string of comma-separated numbers, the first absolute and each next one the difference from the one
 * before ("1764581234567,0,2,-1"). A million points stay a few megabytes.
 */
export function encodeMetricTimes(times: readonly number[]): string {
  let text = "";
  let previous = 0;
  for (let i = 0; i < times.length; i++) {
    const time = Math.trunc(times[i]!);
    text += i === 0 ? String(time) : `,${time - previous}`;
    previous = time;
  }
  return text;
}

/**
 * Reads one key of `metric_times_ms` as step → epoch ms: the delta string {@link encodeMetricTimes}
 * writes (aligned with `steps`, increasing), or the `{"<step>": ms}` object of earlier versions.
 */
export function decodeMetricTimes(recorded: unknown, steps: readonly number[]): Map<number, number> {
  const times = new Map<number, number>();
  if (typeof recorded === "string") {
    let time = 0;
    const parts = recorded.split(",");
    const sorted = [...steps].sort((a, b) => a - b);
    for (let i = 0; i < parts.length && i < sorted.length; i++) {
      const delta = Number(parts[i]);
      if (!Number.isFinite(delta)) break;
      time = i === 0 ? delta : time + delta;
      times.set(sorted[i]!, time);
    }
  } else if (typeof recorded === "object" && recorded !== null) {
    for (const [step, time] of Object.entries(recorded)) if (typeof time === "number") times.set(Number(step), time);
  }
  return times;
}

/** Makes a value JSON-safe: `toJSON` honoured, class instances become plain data, non-finite numbers become strings. */
export function toTrackable(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return value.toString();
  if (value === undefined) return null;
  if (typeof value !== "object" || value === null) return value;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}
