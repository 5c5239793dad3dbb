import { pythonFloat } from "../core/python-str.js";

export { pythonFloat };

/** Marks a number that Python would hold as a float (YAML `1.0` must dump as `1.0`, not `1`). */
export const PY_FLOAT: unique symbol = Symbol("py-float");

/** A number known to be a float in the source document. */
export interface PyFloat {
  readonly [PY_FLOAT]: number;
}

/** Wraps a number so that {@link pythonJsonDumps} prints it the way Python prints a float. */
export function pyFloat(value: number): PyFloat {
  return Object.freeze({ [PY_FLOAT]: value });
}

function isPyFloat(value: unknown): value is PyFloat {
  return typeof value === "object" && value !== null && PY_FLOAT in value;
}

/** Python's `json.dumps(value, sort_keys=True)` (default separators, `ensure_ascii=True`). */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "string") return pythonString(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? pythonInt(value) : pythonFloat(value);
  if (isPyFloat(value)) return pythonFloat(value[PY_FLOAT]);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${pythonString(k)}: ${pythonJsonDumps(v)}`).join(", ")}}`;
  }
  throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

function pythonInt(value: number): string {
  return BigInt(value).toString();
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** A JSON string literal escaped like Python's `ensure_ascii` (UTF-16 units as `\uXXXX`). */
function pythonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Orders strings by Unicode code point, as Python's `sorted` does. */
function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i += 1) {
    const diff = (left[i] as string).codePointAt(0)! - (right[i] as string).codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}
