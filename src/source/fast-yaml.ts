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
  let loaded: unknown;
  try {
    loaded = jsyaml.load(text, { schema: CORE });
  } catch {
    return undefined;
  }
  if (loaded === null || loaded === undefined) return undefined;
  const plain = madePlain(loaded, maxDepth, text.includes("&") && MAY_ANCHOR.test(text));
  if (plain === undefined) return undefined;
  return {
    value: plain.data,
    hashable: (path) => {
      const found = at(plain, path);
      return found === undefined ? undefined : found.float ? pyFloat(found.value as number) : withPyFloats(found.value, plain.floats);
    },
  };
}

/** Text that may hold an anchor (`&name`); without one no mapping or list can be reached twice. */
const MAY_ANCHOR = /(?:^|[\s,[{:])&[^\s,[\]{}]/m;

/** Where the document had floats: for each mapping or list holding some, the keys (or indexes) holding them. */
type FloatPlaces = Map<object, Set<string | number>>;

interface Plain {
  data: unknown;
  floats: FloatPlaces;
  /** The whole document is one float. */
  rootFloat: boolean;
}

function at(plain: Plain, path: DocPath): { value: unknown; float: boolean } | undefined {
  let current = plain.data;
  let float = plain.rootFloat;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    const key = Array.isArray(current) ? segment : String(segment);
    if (Array.isArray(current) ? typeof key !== "number" || key >= current.length : !Object.hasOwn(current, key)) return undefined;
    float = plain.floats.get(current)?.has(key) ?? false;
    current = (current as Record<string | number, unknown>)[key];
  }
  return { value: current, float };
}

/**
 * Turns js-yaml's result into plain data where it lies (floats become numbers; where they were is kept
 * for hashing), or returns undefined when it is not plain: a mapping or list reached twice (an alias),
 * a merge key, a float or complex key, or nesting deeper than `maxDepth` (`anchors`: the text may hold
 * one, so nodes are remembered to find a second visit). Iterative (any depth). In
 * place: a copy doubled the memory of a large document and took a third of its reading time.
 */
function madePlain(root: unknown, maxDepth: number, anchors: boolean): Plain | undefined {
  const floats: FloatPlaces = new Map();
  if (root instanceof FloatScalar) return { data: root.value, floats, rootFloat: true };
  // Only a document with anchors can reach a node twice: other documents need not remember every node.
  const seen = anchors ? new Set<object>() : undefined;
  const stack: Array<{ node: Record<string, unknown> | unknown[]; depth: number }> = [];
  const visit = (value: unknown, depth: number): boolean => {
    if (typeof value !== "object" || value === null) return true;
    if (seen?.has(value) || depth > maxDepth) return false;
    seen?.add(value);
    stack.push({ node: value as Record<string, unknown>, depth });
    return true;
  };
  const markFloat = (node: object, key: string | number): void => {
    let keys = floats.get(node);
    if (!keys) floats.set(node, (keys = new Set()));
    keys.add(key);
  };
  if (!visit(root, 1)) return undefined;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const item = node[i];
        if (item instanceof FloatScalar) {
          node[i] = item.value;
          markFloat(node, i);
        } else if (!visit(item, depth + 1)) return undefined;
      }
      continue;
    }
    for (const key of Object.keys(node)) {
      if (key === "<<" || UNSURE_KEYS.has(key)) return undefined;
      const item = node[key];
      if (item instanceof FloatScalar) {
        defineEntry(node, key, item.value);
        markFloat(node, key);
      } else if (!visit(item, depth + 1)) return undefined;
    }
  }
  return { data: root, floats, rootFloat: false };
}

/** Sets an own entry even for keys such as `__proto__` (as the `yaml` library's toJS does). */
function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A copy of `data` with its floats as {@link PyFloat} markers (what dag_hash hashes). */
function withPyFloats(data: unknown, floats: FloatPlaces): unknown {
  if (typeof data !== "object" || data === null) return data;
  const places = floats.get(data);
  if (Array.isArray(data)) return data.map((item, i) => (places?.has(i) ? pyFloat(item as number) : withPyFloats(item, floats)));
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    const item = (data as Record<string, unknown>)[key];
    defineEntry(result, key, places?.has(key) ? (pyFloat(item as number) satisfies PyFloat) : withPyFloats(item, floats));
  }
  return result;
}
