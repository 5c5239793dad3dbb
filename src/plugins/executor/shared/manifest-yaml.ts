/**
 * Block-style YAML for JSON-like manifests (objects, arrays, strings, finite numbers, booleans, null),
 * written directly: the `yaml` package's stringify builds a node tree first and takes most of a
 * second for a 1,000-step workflow. Strings are plain only when no YAML 1.1 or 1.2 parser (Go's
 * go-yaml, which kubectl and argo use, is 1.1) could read them as anything but that string; all
 * others are JSON-quoted, and a JSON string is a valid YAML double-quoted scalar. The tests parse every
 * rendered manifest back with the `yaml` package.
 */

// A letter-like start (after an optional `-`/`--`, as in command flags), then no spaces, no `#` and
// no trailing `:`: never a number, a key, a comment or an indicator in either YAML version.
const PLAIN = /^(--?)?[A-Za-z_/][A-Za-z0-9_/.%:-]*$/;
const YAML11_WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function scalar(value: string | number | boolean | null): string {
  if (typeof value === "string") return PLAIN.test(value) && !value.endsWith(":") && !YAML11_WORDS.test(value) ? value : JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} in a manifest`);
    return String(value);
  }
  return String(value);
}

const isEmpty = (value: Json): boolean =>
  Array.isArray(value) ? value.length === 0 : typeof value === "object" && value !== null && Object.keys(value).length === 0;
const inline = (value: Json): string | undefined => {
  if (value === null || typeof value !== "object") return scalar(value);
  if (isEmpty(value)) return Array.isArray(value) ? "[]" : "{}";
  return undefined;
};

function block(value: Json, indent: number, out: string[]): void {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      const simple = inline(item);
      if (simple !== undefined) {
        out.push(`${pad}- ${simple}`);
        continue;
      }
      const start = out.length;
      block(item, indent + 2, out);
      out[start] = `${pad}- ${out[start]!.slice(indent + 2)}`;
    }
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, Json>)) {
    if (item === undefined) continue;
    const simple = inline(item);
    if (simple !== undefined) out.push(`${pad}${scalar(key)}: ${simple}`);
    else {
      out.push(`${pad}${scalar(key)}:`);
      block(item, indent + 2, out);
    }
  }
}

/** The YAML text of a JSON-like object (a trailing newline included). */
export function manifestYaml(value: Record<string, unknown>): string {
  const out: string[] = [];
  block(value as Json, 0, out);
  return `${out.join("\n")}\n`;
}
