/**
 * Argo's simple template tags (`{{inputs.parameters.x}}`, `{{item}}`, `{{workflow.uid}}`, ...), as
 * util/template/simple_template.go substitutes them: the tag's trimmed text is looked up in a flat
 * scope and replaced by the value's text (Argo JSON-escapes it into the template's JSON, which is the
 * same as replacing inside each string). Unknown tags stay as written, except tags under a strict
 * prefix (`tasks.`), which are an error. Expression tags (`{{=...}}`) are not supported.
 */

const TAG = /\{\{([^{}]*)\}\}/g;

/** Replaces tags in one string. */
export function substituteText(text: string, scope: Readonly<Record<string, string>>, strictPrefixes: readonly string[] = []): string {
  return text.replace(TAG, (whole, inner: string) => {
    const key = inner.trim();
    if (Object.hasOwn(scope, key)) return scope[key]!;
    if (key.startsWith("=")) throw new Error(`expression tag ${whole} is not supported by the emulator`);
    if (strictPrefixes.some((prefix) => key.startsWith(prefix))) throw new Error(`failed to resolve ${whole}`);
    return whole;
  });
}

/** Replaces tags in every string of a JSON value (keys untouched); returns a copy. */
export function substituteDeep<T>(value: T, scope: Readonly<Record<string, string>>, strictPrefixes: readonly string[] = []): T {
  if (typeof value === "string") return substituteText(value, scope, strictPrefixes) as T;
  if (Array.isArray(value)) return value.map((item) => substituteDeep(item, scope, strictPrefixes)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, scope, strictPrefixes)])) as T;
  }
  return value;
}

/**
 * `{{item}}` of one `withParam` element, as Argo's processItem (workflow/controller/operator.go) makes
 * it: strings without their quotes, numbers and booleans as written, objects and lists as compact JSON
 * (object keys sorted, as Go marshals maps). Object items also define `{{item.<key>}}`.
 */
export function itemScope(item: unknown): Record<string, string> {
  if (typeof item === "string") return { item };
  if (typeof item === "number" || typeof item === "boolean") return { item: String(item) };
  if (Array.isArray(item)) return { item: JSON.stringify(item) };
  if (item && typeof item === "object") {
    const sorted = sortKeys(item) as Record<string, unknown>;
    const scope: Record<string, string> = { item: JSON.stringify(sorted) };
    for (const [key, value] of Object.entries(sorted)) scope[`item.${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    return scope;
  }
  throw new Error(`withParam item ${JSON.stringify(item)}: expected string, number, list or map`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
