/** True for a plain mapping (an object that is not null and not a list), e.g. a YAML mapping or a JSON object. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
