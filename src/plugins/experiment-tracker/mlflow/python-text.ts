// MLflow's Python client logs a param as `str(value)`: runnable's tracker did so for every non-metric
// value, so a boolean is `False`, nothing is `None` and a mapping `{'ham': 'world'}`. The tracker writes
// params the same way, so the MLflow run of a runnable-ts run reads like runnable's.

/** Python's `repr` of a string: single quotes unless the text holds a single quote and no double one. */
function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === "\\") out += "\\\\";
    else if (char === quote) out += `\\${quote}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return out + quote;
}

/** Python's `repr` of a float or int: `0.1`, `1e-05`, `1e+16`, `nan`, `inf` (whole numbers as ints). */
export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value)) return Object.is(value, -0) ? "-0.0" : String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e16) return String(value);
  // Python writes exponents with a sign and at least two digits.
  return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "bigint") return String(value);
  if (typeof value === "string") return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value)
      .map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`)
      .join(", ")}}`;
  }
  return pythonStringRepr(String(value));
}

/** Python's `str(value)` of a value as JSON gives it: text as it is, others as Python writes them. */
export function pythonText(value: unknown): string {
  return typeof value === "string" ? value : pythonRepr(value);
}
