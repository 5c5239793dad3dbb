import jsyaml from "js-yaml";
import { type PyFloat, pyFloat } from "./python-json.js";
import type { DocPath } from "./positions.js";

// The fast path for reading YAML: js-yaml (about ten times faster than the `yaml` library's Document)
// with a schema that resolves plain scalars exactly as the `yaml` library's YAML 1.2 core schema does.
// It is taken only for plain documents: anything it cannot read the same way — syntax errors, duplicate
// keys, tags other than the core ones, aliases of mappings or lists, merge keys, float keys, nesting
// deeper than the limit — returns undefined, and the caller reads the text with the `yaml` library,
// which reports problems with their positions. Positions are never needed for a document that is fine.

/** A float read from the text, kept apart from integers until the value is handed out (Python hashes them apart). */
class FloatScalar {
  constructor(readonly value: number) {}
}

/**
 * Keys js-yaml writes differently: a key that is not a string (a float here, or a complex key) becomes
 * this text, and a null key "null" (the `yaml` library makes it ""). Documents with them are read with `yaml`.
 */
const UNSURE_KEYS = new Set(["[object Object]", "null"]);

const scalar = (tag: string, test: RegExp, construct: (text: string) => unknown) =>
  new jsyaml.Type(`tag:yaml.org,2002:${tag}`, {
    kind: "scalar",
    resolve: (text: string | null) => test.test(text ?? ""),
    construct: (text: string | null) => construct(text ?? ""),
  });

/** The `yaml` library's core schema (`yaml/dist/schema/core`): the same tests and the same conversions. */
const CORE = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar("null", /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar("bool", /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === "t" || text[0] === "T"),
    scalar("int", /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (text) =>
      text.startsWith("0o") ? parseInt(text.slice(2), 8) : text.startsWith("0x") ? parseInt(text.slice(2), 16) : parseInt(text, 10),
    ),
    scalar(
      "float",
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
      (text) => {
        if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return new FloatScalar(text[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
        if (/^\.(?:nan|NaN|NAN)$/.test(text)) return new FloatScalar(Number.NaN);
        return new FloatScalar(parseFloat(text));
      },
    ),
  ],
});

/** A document read on the fast path. */
export interface FastYaml {
  /** Plain data (floats as numbers). */
  value: unknown;
  /** The data at `path` with floats marked, for Python-exact hashing (undefined when the path is missing). */
  hashable(path: DocPath): unknown;
}

/**
 * Reads `text` on the fast path, or returns undefined when the document is not plain enough for it
 * (the caller then reads it with the `yaml` library). `maxDepth` bounds the nesting of mappings and lists.
 */
export function readFastYaml(text: string, maxDepth: number): FastYaml | undefined {
  let marked: unknown;
  try {
    marked = jsyaml.load(text, { schema: CORE });
  } catch {
    return undefined;
  }
  if (marked === null || marked === undefined) return undefined;
  const value = plainCopy(marked, maxDepth);
  if (value === undefined) return undefined;
  return {
    value: value.data,
    hashable: (path) => {
      const found = at(marked, path);
      return found === undefined ? undefined : withPyFloats(found);
    },
  };
}

function at(data: unknown, path: DocPath): unknown {
  let current = data;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    if (Array.isArray(current)) {
      if (typeof segment !== "number" || segment >= current.length) return undefined;
      current = current[segment];
    } else {
      if (!Object.hasOwn(current, String(segment))) return undefined;
      current = (current as Record<string, unknown>)[String(segment)];
    }
  }
  return current;
}

/**
 * The data with floats as numbers, or undefined when it is not plain: a mapping or list reached twice
 * (an alias), a merge key, a float or complex key, or nesting deeper than `maxDepth`. Iterative (any depth).
 */
function plainCopy(root: unknown, maxDepth: number): { data: unknown } | undefined {
  const seen = new Set<object>();
  const convert = (value: unknown): unknown => (value instanceof FloatScalar ? value.value : value);
  const top = { data: convert(root) };
  const stack: Array<{ source: unknown; target: Record<string, unknown> | unknown[]; depth: number }> = [];
  const open = (source: unknown, depth: number): unknown => {
    if (typeof source !== "object" || source === null || source instanceof FloatScalar) return convert(source);
    if (seen.has(source)) throw ALIAS;
    seen.add(source);
    if (depth > maxDepth) throw ALIAS;
    const target = Array.isArray(source) ? new Array<unknown>(source.length) : ({} as Record<string, unknown>);
    stack.push({ source, target, depth });
    return target;
  };
  try {
    top.data = open(root, 1);
    while (stack.length > 0) {
      const { source, target, depth } = stack.pop()!;
      if (Array.isArray(source)) {
        for (let i = 0; i < source.length; i++) (target as unknown[])[i] = open(source[i], depth + 1);
        continue;
      }
      for (const key of Object.keys(source as object)) {
        if (key === "<<" || UNSURE_KEYS.has(key)) throw ALIAS;
        defineEntry(target as Record<string, unknown>, key, open((source as Record<string, unknown>)[key], depth + 1));
      }
    }
  } catch (error) {
    if (error === ALIAS) return undefined;
    throw error;
  }
  return top;
}

const ALIAS = Symbol("not plain");

/** Sets an own entry even for keys such as `__proto__` (as the `yaml` library's toJS does). */
function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** The data with floats as {@link PyFloat} markers (what dag_hash hashes). */
function withPyFloats(data: unknown): unknown {
  if (data instanceof FloatScalar) return pyFloat(data.value) satisfies PyFloat;
  if (typeof data !== "object" || data === null) return data;
  if (Array.isArray(data)) return data.map(withPyFloats);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(data)) defineEntry(result, key, withPyFloats((data as Record<string, unknown>)[key]));
  return result;
}
