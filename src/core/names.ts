/** Placeholder segment for a map item in internal names (runnable's constant). */
export const MAP_PLACEHOLDER = "map_variable_placeholder";

/** Placeholder segment for a loop's iteration index in internal names (runnable 0.50's constant). */
export const LOOP_PLACEHOLDER = "loop_variable_placeholder";

/** Branch segment of a conditional's `default` branch (`<step>.default`). */
export const DEFAULT_BRANCH = "default";

/** Branch segment of a `dag` node's sub-graph. */
export const DAG_BRANCH = "dag";

/** Ordered map of `iterate_as` name to the current item, outermost map first. */
export type MapVariable = ReadonlyArray<readonly [name: string, value: unknown]>;

/** Deepest nesting of composite steps (parallel, map, dag) in one pipeline. */
export const MAX_NESTING = 100;

/** How many composite steps enclose a branch (each adds `<step>.<branch>` to its internal name). */
export function nestingDepth(internalBranchName: string): number {
  let dots = 0;
  for (let at = internalBranchName.indexOf("."); at >= 0; at = internalBranchName.indexOf(".", at + 1)) dots++;
  return internalBranchName ? (dots + 1) / 2 : 0;
}

/** The problem of a branch nested deeper than {@link MAX_NESTING}, or undefined. */
export function nestingProblem(internalBranchName: string): string | undefined {
  if (nestingDepth(internalBranchName) <= MAX_NESTING) return undefined;
  return `composite steps (parallel, map, dag) nest more than ${MAX_NESTING} levels deep here; flatten the pipeline (runs this deep are not supported)`;
}

/** Joins a branch name and a step name into an internal name. */
export function childName(internalBranchName: string, name: string): string {
  return internalBranchName ? `${internalBranchName}.${name}` : name;
}

/** Text of a map item as used in names: strings as is, everything else as JSON. */
export function itemText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isInteger(value)) return String(value);
  return JSON.stringify(value);
}

/**
 * Replaces each map placeholder, left to right, with the next map item, then each loop placeholder with
 * the next enclosing loop's iteration index (runnable 0.50's `_resolve_iter_placeholders`).
 */
export function resolveName(name: string, mapVariable: MapVariable, loops: readonly number[] = []): string {
  let resolved = name;
  for (const [, value] of mapVariable) {
    const at = resolved.indexOf(MAP_PLACEHOLDER);
    if (at < 0) break;
    resolved = resolved.slice(0, at) + itemText(value) + resolved.slice(at + MAP_PLACEHOLDER.length);
  }
  for (const index of loops) {
    const at = resolved.indexOf(LOOP_PLACEHOLDER);
    if (at < 0) break;
    resolved = resolved.slice(0, at) + String(index) + resolved.slice(at + LOOP_PLACEHOLDER.length);
  }
  return resolved;
}

/** Longest step or branch name in UTF-8 bytes: names become parts of file names, which hold at most 255. */
export const MAX_NAME_BYTES = 200;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Bytes of `text` in UTF-8 (counted, not encoded: it runs for every step's execution log name). */
export function utf8Bytes(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 4 bytes for its 2 units
      i++;
    } else bytes += 2; // 3 bytes (a lone surrogate is encoded as U+FFFD, also 3)
  }
  return bytes;
}

/**
 * Step and branch names must be non-empty, well-formed text without control characters (newline, tab,
 * NUL), without `.` or `%` (they build dot paths), without `/` or `\` (they become file names), and at
 * most {@link MAX_NAME_BYTES} bytes long.
 */
export function stepNameProblem(name: string, what = "step name"): string | undefined {
  if (name.trim() === "") return `a ${what} cannot be empty`;
  // Built only for a message: this runs for every step of a pipeline.
  const shown = (): string => JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name);
  if (LONE_SURROGATE.test(name)) return `${what} ${shown()} is not valid Unicode text (it holds a lone surrogate)`;
  if (CONTROL.test(name)) return `${what} ${shown()} cannot contain control characters (newline, tab, NUL, ...)`;
  if (name.includes(".") || name.includes("%")) return `${what} ${shown()} cannot contain "." or "%"`;
  if (name.includes("/") || name.includes("\\")) return `${what} ${shown()} cannot contain "/" or "\\" (names become parts of file names)`;
  // A UTF-16 unit is at most 3 bytes of UTF-8: short names need no encoding.
  const bytes = name.length * 3 > MAX_NAME_BYTES ? utf8Bytes(name) : 0;
  if (bytes <= MAX_NAME_BYTES) return undefined;
  return `${what} ${shown()} is ${bytes} bytes long; at most ${MAX_NAME_BYTES} bytes (UTF-8) are allowed, as names become parts of file names`;
}

/**
 * The file name of a step's execution log: runnable's `<name with _ for spaces>.execution.log[_<item>...]`,
 * prefixed with `<step>.<branch>.` for every enclosing parallel or dag branch, so same-named steps of
 * different branches do not overwrite each other's log (fixes runnable's collision; map items already
 * tell map branches apart). `internalName` is the unresolved internal name.
 */
export function executionLogName(internalName: string, mapVariable: MapVariable, loops: readonly number[] = []): string {
  const segments = internalName.split(".");
  let prefix = "";
  for (let i = 0; i + 1 < segments.length - 1; i += 2) {
    if (segments[i + 1] !== MAP_PLACEHOLDER && segments[i + 1] !== LOOP_PLACEHOLDER) prefix += `${segments[i]}.${segments[i + 1]}.`;
  }
  const stem = (prefix + segments[segments.length - 1]).replace(/ /g, "_");
  const items = [...mapVariable.map(([, value]) => `_${safeSegment(itemText(value))}`), ...loops.map((index) => `_${index}`)].join("");
  const full = `${stem}.execution.log${items}`;
  if (utf8Bytes(full) <= MAX_FILE_NAME_BYTES) return full;
  // Too long for a file name (deep nesting, long map items): cut, keeping the name's kind and a hash.
  const base = utf8Bytes(stem) > 120 ? `${cutToBytes(stem, 100)}~${shortHash(stem)}.execution.log` : `${stem}.execution.log`;
  if (utf8Bytes(base + items) <= MAX_FILE_NAME_BYTES) return base + items;
  return `${base}${cutToBytes(items, MAX_FILE_NAME_BYTES - utf8Bytes(base) - 18)}~${shortHash(items)}`;
}

/** Longest file name most file systems take. */
const MAX_FILE_NAME_BYTES = 255;

/** The longest start of `text` (whole characters) that fits in `budget` UTF-8 bytes. */
function cutToBytes(text: string, budget: number): string {
  let out = "";
  let used = 0;
  for (const char of text) {
    used += utf8Bytes(char);
    if (used > budget) break;
    out += char;
  }
  return out;
}

/** 16 hex digits of two FNV-1a hashes of `text` (names that were cut stay distinct). */
export function shortHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193) >>> 0;
    b = Math.imul(b ^ code, 0x811c9dc5 | 1) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

/** True for step execution logs (`x.execution.log`, or with map suffixes `x.execution.log_a_b`). */
export function isExecutionLog(relativePath: string): boolean {
  return /\.execution\.log(_[^/]*)?$/.test(relativePath);
}

/** A map item made safe as one path segment (no separators, no `..`). */
export function safeSegment(text: string): string {
  const cleaned = text.replace(/[/\\\0]/g, "_");
  return cleaned === "." || cleaned === ".." ? cleaned.replace(/\./g, "_") : cleaned;
}
