// Run log files are written as runnable writes them (Python's json.dump with indent=4 and
// ensure_ascii): 4-space indent, non-ASCII escaped as `\uXXXX`. The text is produced in pieces of
// about a megabyte, so a run log of hundreds of megabytes is written without being one string first
// (JSON.stringify of a large value briefly needs twice its text in memory).

const INDENT = "    ";
const PIECE_CHARS = 1 << 20;

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
  if (isContainer(root)) yield* emit(root, "", out, false);
  else out.text = JSON.stringify(root) ?? "null";
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

/**
 * Where run logs grow: maps of step and branch logs, metrics. Values under these keys are written entry
 * by entry; entries of `steps` and `branches` (step and branch logs) are walked the same way; anything
 * else is one native JSON.stringify, indented to its place.
 */
const WALKED = new Set(["steps", "branches", "user_defined_metrics", "attempts"]);
const ENTRIES_WALKED = new Set(["steps", "branches"]);

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null && !(value instanceof Number || value instanceof String || value instanceof Boolean);
}

/** A value JSON.stringify writes whole, indented for its place (`inner` is the indent of its lines). */
function whole(value: unknown, inner: string): string {
  const text = JSON.stringify(value, null, 4) ?? "null";
  return isContainer(value) ? text.replaceAll("\n", `\n${inner}`) : text;
}

/** Writes a container; `walkEntries` when its entries are step or branch logs. */
function* emit(value: object, pad: string, out: Out, walkEntries: boolean): Generator<string> {
  const inner = pad + INDENT;
  const child = (item: unknown, key: string): Generator<string> | undefined => {
    if (!isContainer(item) || !(walkEntries || WALKED.has(key))) {
      out.text += whole(item, inner);
      return undefined;
    }
    return emit(item, inner, out, ENTRIES_WALKED.has(key) && !walkEntries);
  };
  if (Array.isArray(value)) {
    if (value.length === 0) return void (out.text += "[]");
    out.text += "[";
    for (let i = 0; i < value.length; i++) {
      out.text += i === 0 ? `\n${inner}` : `,\n${inner}`;
      const nested = child(toJsonValue(value[i], String(i)) ?? null, "");
      if (nested) yield* nested;
      if (out.text.length >= PIECE_CHARS) yield asciiOnly(take(out));
    }
    out.text += `\n${pad}]`;
    return;
  }
  let first = true;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = toJsonValue(record[key], key);
    if (item === undefined) continue;
    out.text += first ? `{\n${inner}${JSON.stringify(key)}: ` : `,\n${inner}${JSON.stringify(key)}: `;
    first = false;
    const nested = child(item, key);
    if (nested) yield* nested;
    if (out.text.length >= PIECE_CHARS) yield asciiOnly(take(out));
  }
  out.text += first ? "{}" : `\n${pad}}`;
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
