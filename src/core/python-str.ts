import { pythonFloat } from "./python-json.js";

/** Python's `str()` of a JSON scalar (`True`, `None`, `3`, `1.5`, text as is); undefined for lists and mappings. */
export function pythonStr(value: unknown): string | undefined {
  if (value === true) return "True";
  if (value === false) return "False";
  if (value === null) return "None";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value).toString() : pythonFloat(value);
  return undefined;
}
