import { RunnableError } from "./errors.js";
import { pythonJsonDumps } from "./python-json.js";
import type { Parameters } from "./run-log.js";

/** Prefixes under which parameters travel in the environment (ours first, runnable's second). */
export const PARAMETER_PREFIXES = ["RUNNABLE_PRM_", "runnable_PRM_"] as const;

/** Why `name` cannot name a parameter (it travels as an environment variable `RUNNABLE_PRM_<name>`), or undefined. */
export function parameterNameProblem(name: string): string | undefined {
  if (name === "") return "a parameter name cannot be empty";
  if (/[\u0000-\u001f\u007f=]/.test(name))
    return `parameter name ${JSON.stringify(name)} cannot contain "=" or control characters (it becomes an environment variable name)`;
  // A name reaches Python functions as an argument and shell tasks as RUNNABLE_PRM_<name>: it must be an identifier there.
  if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name))
    return `parameter name ${JSON.stringify(name)} is not an identifier (letters, digits and _, not starting with a digit; no spaces, dashes or dots): tasks read it as a Python argument or a shell variable; rename it, e.g. ${JSON.stringify(suggestedName(name))}`;
  return undefined;
}

function suggestedName(name: string): string {
  const cleaned = name.replace(/[^\p{L}\p{N}_]+/gu, "_");
  return /^\p{N}/u.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Deepest nesting of lists and mappings in a parameter value (deeper values are refused, not crashed on). */
export const MAX_VALUE_DEPTH = 100;

/**
 * Why `value` cannot be kept as a parameter — a number JSON cannot hold (NaN, Infinity), nesting deeper
 * than {@link MAX_VALUE_DEPTH}, or something that is not data (a function, a symbol) — naming
 * where inside it; undefined when it is fine. Walks without recursion.
 */
export function valueProblem(value: unknown): string | undefined {
  const stack: Array<[unknown, number, string]> = [[value, 0, ""]];
  while (stack.length > 0) {
    const [current, depth, at] = stack.pop()!;
    const where = at ? ` at ${at}` : "";
    if (typeof current === "number") {
      if (!Number.isFinite(current)) return `holds ${current}${where}: parameters are JSON values, which cannot hold NaN or Infinity`;
      continue;
    }
    if (typeof current === "function" || typeof current === "symbol") {
      return `holds a ${typeof current}${where}: parameters are JSON values (strings, numbers, booleans, null, lists, mappings)`;
    }
    if (typeof current !== "object" || current === null) continue;
    if (depth >= MAX_VALUE_DEPTH) return `nests lists and mappings more than ${MAX_VALUE_DEPTH} levels deep`;
    for (const [key, item] of Object.entries(current)) stack.push([item, depth + 1, Array.isArray(current) ? `${at}[${key}]` : at ? `${at}.${key}` : key]);
  }
  return undefined;
}

/** Why a task's output parameters cannot be kept (a bad name or value, see {@link valueProblem}), or undefined. */
export function parametersProblem(parameters: Readonly<Record<string, unknown>>): string | undefined {
  for (const [name, value] of Object.entries(parameters)) {
    const problem = parameterNameProblem(name) ?? (valueProblem(value) && `parameter "${name}" ${valueProblem(value)}`);
    if (problem) return problem;
  }
  return undefined;
}

const NUMBER_OR_STRING = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** A number literal in JSON `text` that a 64-bit float cannot keep (an integer beyond 2^53, 1e400), or undefined. */
export function lossyNumberIn(text: string): string | undefined {
  if (!/\d{16}|[eE][+-]?\d{3}/.test(text)) return undefined;
  for (const [literal] of text.matchAll(NUMBER_OR_STRING)) {
    if (literal.startsWith('"')) continue;
    const value = Number(literal);
    if (!Number.isFinite(value)) return `the number ${literal} is too large for a 64-bit float`;
    if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(value)) return `the integer ${literal} has more digits than a 64-bit float keeps exactly`;
  }
  return undefined;
}

/**
 * Decodes an environment value: JSON when it parses, else the raw string. A JSON value that would not
 * survive (a lossy number, NaN, too deep) is a PARAMETERS_INVALID error naming `variable`.
 */
export function decodeEnvValue(text: string, variable = "the value"): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const problem = lossyNumberIn(text) ?? valueProblem(value);
  if (problem) {
    throw new RunnableError("PARAMETERS_INVALID", `${variable} cannot be used as a parameter: ${problem}`, {
      hint: "quote the value to keep it as text (e.g. '\"12345678901234567890\"'), or use a number a 64-bit float holds",
    });
  }
  return value;
}

/**
 * Encodes a parameter for `RUNNABLE_PRM_*`: JSON as Python's `json.dumps` writes it (strings keep their
 * quotes, `{"a": 1}` and `[1, 2]` with spaces, non-ASCII escaped), as runnable does.
 */
export function encodeEnvValue(value: unknown): string {
  return pythonJsonDumps(value, { sortKeys: false });
}

/**
 * Encodes a parameter as a plain environment variable (`$integer` in a shell task), as runnable 0.50
 * does: a string as it is, anything else as `json.dumps` writes it.
 */
export function plainEnvValue(value: unknown): string {
  return typeof value === "string" ? value : encodeEnvValue(value);
}

/** A map item as runnable 0.50 exports it to shell tasks: Python's `str(value)` (`1`, `True`, `None`, `{'a': 1}`). */
export function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pythonRepr(value);
}

/** Python's `repr` of a JSON value (strings quoted as Python quotes them). */
function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonJsonDumps(value);
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const escaped = value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
    return `${quote}${quote === "'" ? escaped.replace(/'/g, "\\'") : escaped}${quote}`;
  }
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(", ")}}`;
  return String(value);
}

/** Parameters found in an environment (keys keep their case; `RUNNABLE_PRM_` wins over `runnable_PRM_`). */
export function parametersFromEnv(env: Record<string, string | undefined>): Parameters {
  const found: Parameters = {};
  for (const prefix of [...PARAMETER_PREFIXES].reverse()) {
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined || !name.startsWith(prefix) || name.length === prefix.length) continue;
      found[name.slice(prefix.length)] = decodeEnvValue(value, name);
    }
  }
  return found;
}

/** Environment variables carrying the given parameters under both prefixes. */
export function parametersToEnv(parameters: Parameters): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) {
    const encoded = encodeEnvValue(value);
    for (const prefix of PARAMETER_PREFIXES) env[`${prefix}${key}`] = encoded;
  }
  return env;
}

/** Deep structural equality of two JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A JSON deep copy (parameters are JSON values). */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
