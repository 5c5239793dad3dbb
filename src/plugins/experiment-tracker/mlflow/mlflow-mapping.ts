import type { MlflowBatch, MlflowKeyValue, MlflowMetric } from "./mlflow-client.js";
import { pythonText } from "./python-text.js";

/** MLflow's limits the tracker keeps to (a tag value's guaranteed size is 5000 on every backend). */
export const MLFLOW_LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 5000,
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  /** MLflow also caps metrics + params + tags together per request. */
  entriesPerBatch: 1000,
  /** Request bodies stay below MLflow's 1 MB limit with room for the envelope. */
  batchBytes: 900_000,
} as const;

/**
 * Makes `raw` a valid MLflow metric/param/tag key: characters outside `[/\w.\- :]` become `_`, and the
 * result is a normalised relative path (no empty, `.` or `..` segments, no leading `/`), at most 250 chars.
 */
export function sanitiseKey(raw: string, maxLength: number = MLFLOW_LIMITS.keyLength): string {
  const replaced = raw.replace(/[^/\p{L}\p{N}_.\- :]/gu, "_");
  const segments = replaced
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .map((segment) => (segment === ".." ? "__" : segment));
  const key = segments.join("/") || "_";
  return truncateCodePoints(key, maxLength).replace(/\/+$/, "") || "_";
}

/** The param name runnable uses for a non-numeric value: `<key>_<step>`, sanitised, suffix kept. */
export function paramName(key: string, step: number): string {
  const suffix = `_${step}`;
  return sanitiseKey(key, MLFLOW_LIMITS.keyLength - suffix.length) + suffix;
}

/** True for values MLflow records as metrics: finite numbers (booleans are not numbers). */
export function isMetricValue(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** The text a non-metric value becomes as a param: Python's `str()`, as MLflow's Python client logs it (`False`, `{'ham': 'world'}`). */
export function paramText(value: unknown): string {
  return pythonText(value);
}

/** Cuts `text` to at most `max` code points (never splitting a surrogate pair). */
export function truncateCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join("");
}

/** Values waiting to be sent; tags are keyed so a later value of the same tag replaces an unsent one. */
export interface PendingData {
  metrics: MlflowMetric[];
  params: MlflowKeyValue[];
  tags: Map<string, string>;
}

/** An empty pending buffer. */
export function emptyPending(): PendingData {
  return { metrics: [], params: [], tags: new Map() };
}

/** True when `pending` holds at least one full request's worth of something. */
export function pendingIsFull(pending: PendingData): boolean {
  return (
    pending.metrics.length >= MLFLOW_LIMITS.metricsPerBatch ||
    pending.params.length >= MLFLOW_LIMITS.paramsPerBatch ||
    pending.tags.size >= MLFLOW_LIMITS.tagsPerBatch
  );
}

/** Removes and returns the next `runs/log-batch` payload within MLflow's limits, or null when empty. */
export function takeBatch(pending: PendingData, maxBytes: number = MLFLOW_LIMITS.batchBytes): MlflowBatch | null {
  const budget = { bytes: maxBytes, taken: 0 };
  const params = takeWithin(pending.params, MLFLOW_LIMITS.paramsPerBatch, budget);
  const tags = takeWithin(
    [...pending.tags].map(([key, value]) => ({ key, value })),
    MLFLOW_LIMITS.tagsPerBatch,
    budget,
  );
  for (const tag of tags) pending.tags.delete(tag.key);
  const room = MLFLOW_LIMITS.entriesPerBatch - params.length - tags.length;
  const metrics = takeWithin(pending.metrics, Math.min(MLFLOW_LIMITS.metricsPerBatch, room), budget);
  if (metrics.length + params.length + tags.length === 0) return null;
  return { metrics, params, tags };
}

/** Takes up to `max` leading items whose JSON fits `budget` (a batch always gets one item, so progress is made). */
function takeWithin<T>(items: T[], max: number, budget: { bytes: number; taken: number }): T[] {
  let count = 0;
  while (count < Math.min(max, items.length)) {
    const size = Buffer.byteLength(JSON.stringify(items[count])) + 1;
    if (size > budget.bytes && budget.taken > 0) break;
    budget.bytes -= size;
    budget.taken += 1;
    count += 1;
  }
  return items.splice(0, count);
}
