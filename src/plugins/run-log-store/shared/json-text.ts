// Run log files are written as runnable writes them (Python's json.dump with indent=4 and
// ensure_ascii): 4-space indent, non-ASCII escaped as `\uXXXX`. The text is produced in pieces of
// about a megabyte, so a run log of hundreds of megabytes is written without being one string first
// (JSON.stringify of a large value briefly needs twice its text in memory). The pieces still come from
// the native JSON.stringify: maps of step logs and metrics are cut into batches of entries, each
// serialised at its depth inside wrapper objects, so no text is re-indented.

const INDENT = "    ";
const PIECE_CHARS = 1 << 20;
/** Entries serialised by one JSON.stringify call. */
const BATCH = 64;
/**
 * A step or branch log holding more than this (metric values, attempts, steps: see logWeight) is
 * walked entry by entry; smaller ones are batched whole, up to this much per JSON.stringify call.
 */
const LARGE = 10_000;
/** Keys whose values are written entry by entry (where run logs grow). */
const WALKED = new Set(["steps", "branches", "user_defined_metrics", "attempts"]);
/** Keys whose entries are step or branch logs (walked themselves when large). */
const LOG_MAPS = new Set(["steps", "branches"]);

/** The whole text (for small values and tests; files are written with {@link jsonTextPieces}). */
export function toJsonText(value: unknown): string {
  let text = "";
  for (const piece of jsonTextPieces(value)) text += piece;
  return text;
}

/** `JSON.stringify(value, null, 4)` with non-ASCII escaped, in pieces of about a megabyte. */
export function* jsonTextPieces(value: unknown): Generator<string> {
  const out: Out = { text: "" };
  const root = toJsonValue(value, "");
  if (isContainer(root) && !Array.isArray(root)) yield* emitMap(root as Record<string, unknown>, 0, out, false);
  else out.text = JSON.stringify(root, null, 4) ?? "null";
  if (out.text.length > 0) yield asciiOnly(out.text);
}

interface Out {
  text: string;
}

/** What JSON.stringify serialises in place of `value` (after `toJSON`), or undefined when it skips it. */
function toJsonValue(value: unknown, key: string): unknown {
  if (typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return (value as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  return value;
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null && !(value instanceof Number || value instanceof String || value instanceof Boolean);
}

/**
 * How much a step or branch log holds (its steps, attempts and metric values, nested), counted up to
 * `budget`; a step log with branches counts as over it (a map's may be tens of thousands).
 */
function logWeight(log: object, budget: number): number {
  const { branches, steps, user_defined_metrics: metrics, attempts } = log as Record<string, unknown>;
  if (isContainer(branches) && Object.keys(branches).length > 0) return Number.POSITIVE_INFINITY;
  let weight = 1 + (Array.isArray(attempts) ? attempts.length : 0);
  if (isContainer(metrics)) for (const value of Object.values(metrics)) weight += isContainer(value) ? Object.keys(value).length : 1;
  if (!isContainer(steps)) return weight;
  for (const step of Object.values(steps)) {
    if (weight > budget) break;
    weight += isContainer(step) ? logWeight(step, budget - weight) : 1;
  }
  return weight;
}
/**
 * The text of `value` as JSON.stringify(…, null, 4) writes it at nesting `depth`: serialised inside
 * `depth` wrapper objects and cut out, so its inner lines carry their final indentation.
 */
function nativeAt(value: unknown, depth: number): string {
  let wrapped = value;
  for (let i = 0; i < depth; i++) wrapped = { "": wrapped };
  const text = JSON.stringify(wrapped, null, 4);
  if (depth === 0) return text;
  // each wrapper adds `{\n<indent>"": ` before and `\n<indent>}` after
  let before = 0;
  let after = 0;
  for (let level = 0; level < depth; level++) {
    before += 2 + INDENT.length * (level + 1) + 4;
    after += 2 + INDENT.length * level;
  }
  return text.slice(before, text.length - after);
}

/** Entries of a batch, as a map's or list's inner lines (without its brackets); "" when none is written. */
function batchText(batch: Record<string, unknown> | unknown[], depth: number): string {
  const text = nativeAt(batch, depth);
  return text.length <= 2 ? "" : text.slice(2, text.length - (1 + INDENT.length * depth + 1));
}

/** An empty batch of map entries (no prototype, so a key like `__proto__` is an ordinary entry). */
const emptyBatch = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;

function* emitMap(record: Record<string, unknown>, depth: number, out: Out, logEntries: boolean): Generator<string> {
  let wrote = false;
  let batch = emptyBatch();
  let batched = 0;
  let weight = 0;
  const flush = (): void => {
    if (batched === 0) return;
    const text = batchText(batch, depth);
    if (text !== "") out.text += (wrote ? ",\n" : "{\n") + text;
    wrote ||= text !== "";
    batch = emptyBatch();
    batched = 0;
    weight = 0;
  };
  const inner = INDENT.repeat(depth + 1);
  for (const key of Object.keys(record)) {
    const item = toJsonValue(record[key], key);
    if (item === undefined) continue;
    // A map item's branch log with its few steps goes whole into a batch: one JSON.stringify per ~64 items.
    const held = logEntries && isContainer(item) ? logWeight(item, LARGE) : 1;
    const walk = isContainer(item) && (logEntries ? held > LARGE : WALKED.has(key));
    if (!walk) {
      batch[key] = record[key]; // as given: JSON.stringify applies toJSON itself
      weight += held;
      if (++batched >= BATCH || weight >= LARGE) flush();
    } else {
      flush();
      out.text += `${wrote ? ",\n" : "{\n"}${inner}${JSON.stringify(key)}: `;
      wrote = true;
      const walkLogs = LOG_MAPS.has(key) && !logEntries;
      if (Array.isArray(item)) yield* emitList(item, depth + 1, out);
      else yield* emitMap(item as Record<string, unknown>, depth + 1, out, walkLogs);
    }
    if (out.text.length >= PIECE_CHARS) yield asciiOnly(take(out));
  }
  flush();
  out.text += wrote ? `\n${INDENT.repeat(depth)}}` : "{}";
}

function* emitList(list: unknown[], depth: number, out: Out): Generator<string> {
  if (list.length === 0) return void (out.text += "[]");
  for (let from = 0; from < list.length; from += BATCH) {
    out.text += (from === 0 ? "[\n" : ",\n") + batchText(list.slice(from, from + BATCH), depth);
    if (out.text.length >= PIECE_CHARS) yield asciiOnly(take(out));
  }
  out.text += `\n${INDENT.repeat(depth)}]`;
}

function take(out: Out): string {
  const text = out.text;
  out.text = "";
  return text;
}

/** Escapes non-ASCII as `\uXXXX`; a UTF-8 length equal to the UTF-16 length means there is none (a native count). */
function asciiOnly(text: string): string {
  if (Buffer.byteLength(text, "utf8") === text.length) return text;
  return text.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
