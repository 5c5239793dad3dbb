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

/**
 * Python's `json.dumps(value, sort_keys=True)` (default separators, `ensure_ascii=True`); with
 * `sortKeys: false`, plain `json.dumps(value)` (keys in insertion order), as runnable encodes parameters
 * for the environment.
 */
export function pythonJsonDumps(value: unknown, options: { sortKeys?: boolean } = {}): string {
  let text = "";
  writePythonJson(value, (piece) => (text += piece), options);
  return text;
}

/** Text of a long string escaped at a time: a hash fed piece by piece never holds the whole escaped text. */
const STRING_PIECE = 1 << 20;

/**
 * {@link pythonJsonDumps} handed to `write` piece by piece (each piece ASCII, as `ensure_ascii` makes
 * it), for a consumer such as a hash that needs no whole text: a 50 MB description then costs no
 * second 50 MB escaped copy and no third joined one.
 */
export function writePythonJson(value: unknown, write: (piece: string) => void, options: { sortKeys?: boolean } = {}): void {
  const sortKeys = options.sortKeys ?? true;
  const dump = (item: unknown): void => {
    if (item === null || item === undefined) write("null");
    else if (item === true) write("true");
    else if (item === false) write("false");
    else if (typeof item === "string") writeString(item, write);
    else if (typeof item === "bigint") write(item.toString());
    else if (typeof item === "number") write(Number.isInteger(item) ? pythonInt(item) : pythonFloat(item));
    else if (isPyFloat(item)) write(pythonFloat(item[PY_FLOAT]));
    else if (Array.isArray(item)) {
      write("[");
      item.forEach((element, i) => {
        if (i > 0) write(", ");
        dump(element);
      });
      write("]");
    } else if (typeof item === "object") {
      const entries = Object.entries(item as Record<string, unknown>);
      if (sortKeys) entries.sort(([a], [b]) => compareCodePoints(a, b));
      write("{");
      entries.forEach(([key, element], i) => {
        write(i > 0 ? `, ${pythonString(key)}: ` : `${pythonString(key)}: `);
        dump(element);
      });
      write("}");
    } else throw new TypeError(`Object of type ${typeof item} is not JSON serializable`);
  };
  dump(value);
}

/** A string literal written in pieces (each UTF-16 unit is escaped on its own, so any cut is safe). */
function writeString(text: string, write: (piece: string) => void): void {
  if (text.length <= STRING_PIECE) {
    write(pythonString(text));
    return;
  }
  write('"');
  for (let at = 0; at < text.length; at += STRING_PIECE) write(text.slice(at, at + STRING_PIECE).replace(NEEDS_ESCAPE, escapeUnit));
  write('"');
}

function pythonInt(value: number): string {
  return BigInt(value).toString();
}

/** Python's `repr(float)`: shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16. */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa = "", exponentText = "0"] = value.toExponential().split("e");
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${digits[0]}${rest}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1) || "0";
  return `${sign}${whole}.${fraction}`;
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

/** What Python's `ensure_ascii` escapes: quote, backslash and every UTF-16 unit outside space..tilde. */
const NEEDS_ESCAPE = /[\\"]|[^ -~]/g;

function escapeUnit(ch: string): string {
  return SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * A JSON string literal escaped like Python's `ensure_ascii` (UTF-16 units as `\uXXXX`). One regular
 * expression pass: building a long text character by character makes a string of millions of pieces
 * (a 50 MB description took seconds and gigabytes of garbage).
 */
function pythonString(text: string): string {
  return `"${text.replace(NEEDS_ESCAPE, escapeUnit)}"`;
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
