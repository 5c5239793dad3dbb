import { createRequire } from "node:module";
import type * as YamlLibrary from "yaml";
import type { Alias, Document, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { pyFloat, pythonFloat } from "./python-json.js";
import type { DocPath, Position } from "./positions.js";

// Finding things in the `yaml` library's Document (which knows where everything is): a path's node and
// position, merge keys and aliases followed, and the data with its floats marked for hashing.

// The `yaml` library is loaded the first time a Document is needed: plain documents are read by the
// fast path and never need it, so a run's start-up does not compile it (~250 KB).
const requireHere = createRequire(import.meta.url);
/** The `yaml` library, loaded on first use. */
export const yamlLibrary = (): typeof YamlLibrary => requireHere("yaml") as typeof YamlLibrary;
/** Whether a node is an alias (`*name`); this and the guards below load the library on their first call. */
export const isAlias = (node: unknown): node is Alias => yamlLibrary().isAlias(node);
/** Whether a node is a mapping. */
export const isMap = (node: unknown): node is YAMLMap => yamlLibrary().isMap(node);
/** Whether a node is a scalar. */
export const isScalar = (node: unknown): node is Scalar => yamlLibrary().isScalar(node);
/** Whether a node is a list. */
export const isSeq = (node: unknown): node is YAMLSeq => yamlLibrary().isSeq(node);

type AnyNode = unknown;
const FLOAT_TAG = "tag:yaml.org,2002:float";
const INT_TAG = "tag:yaml.org,2002:int";
const INT_SOURCE = /^[-+]?(?:0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/;
const MAX_DEPTH = 500;

/** A merge key (`<<`). */
export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  return typeof key.value === "symbol" || (key.value === "<<" && key.type === "PLAIN");
}

/** A key as the text it is looked up by (floats as Python writes them). */
export function keyText(key: unknown): string {
  if (!isScalar(key)) return String(key);
  const value = key.value;
  if (typeof value === "number") return isFloatScalar(key) ? pythonFloat(value) : String(value);
  if (value === null || value === undefined) return "null";
  return String(value);
}

function resolve(node: AnyNode, doc: Document.Parsed): AnyNode {
  let current = node;
  for (let i = 0; isAlias(current) && i < MAX_DEPTH; i += 1) current = current.resolve(doc);
  return current;
}

/** Each mapping's own pairs by key (the first of duplicates), built on the first lookup: lookups cost O(1). */
const PAIRS = new WeakMap<YAMLMap, Map<string, Pair>>();

function ownPair(map: YAMLMap, key: string): Pair | undefined {
  let index = PAIRS.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) continue;
      const text = keyText(pair.key);
      if (!index.has(text)) index.set(text, pair);
    }
    PAIRS.set(map, index);
  }
  return index.get(key);
}

/** The pair of `map` whose key is `key`, looking into merge (`<<`) sources too. */
function findPair(map: YAMLMap, key: string, doc: Document.Parsed, depth = 0): Pair | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const own = ownPair(map, key);
  if (own) return own;
  for (const source of mergeSources(map, doc)) {
    const found = findPair(source, key, doc, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function mergeSources(map: YAMLMap, doc: Document.Parsed): YAMLMap[] {
  const sources: YAMLMap[] = [];
  for (const pair of map.items) {
    if (!isMergeKey(pair.key)) continue;
    const value = resolve(pair.value, doc);
    const items = isSeq(value) ? value.items.map((item) => resolve(item, doc)) : [value];
    for (const item of items) if (isMap(item)) sources.push(item);
  }
  return sources;
}

interface Located {
  node: AnyNode;
  pair: Pair | undefined;
  complete: boolean;
}

/** Walks `path` as far as it goes; `complete` tells whether all of it was found. */
export function locate(doc: Document.Parsed, path: DocPath): Located {
  let node: AnyNode = doc.contents;
  let pair: Pair | undefined;
  for (const segment of path) {
    const current = resolve(node, doc);
    let next: Pair | undefined;
    if (isMap(current)) next = findPair(current, String(segment), doc);
    else if (isSeq(current) && typeof segment === "number" && segment < current.items.length) {
      pair = undefined;
      node = current.items[segment];
      continue;
    }
    if (!next) return { node, pair, complete: false };
    pair = next;
    node = next.value;
  }
  return { node, pair, complete: true };
}

/** Where a node starts in the text (an offset), when known. */
export function rangeStart(node: AnyNode): number | undefined {
  if (typeof node !== "object" || node === null || !("range" in node)) return undefined;
  const range = (node as { range?: [number, number, number] }).range;
  return range?.[0];
}

/** The position of `path` (its key or its value; the deepest part found when it is missing). */
export function positionIn(doc: Document.Parsed, path: DocPath, where: "key" | "value", at: (o: number) => Position): Position {
  const found = locate(doc, path);
  const keyOffset = found.pair ? rangeStart(found.pair.key) : undefined;
  const emptyValue = isScalar(found.node) && found.node.value === null && !(found.node as Scalar).source;
  const valueOffset = emptyValue ? undefined : rangeStart(found.node);
  const wantKey = where === "key" || !found.complete;
  const offset = wantKey ? (keyOffset ?? valueOffset) : (valueOffset ?? keyOffset);
  return offset === undefined ? { line: 1, col: 1 } : at(offset);
}

function isFloatScalar(node: Scalar): boolean {
  if (typeof node.value !== "number") return false;
  if (node.tag === FLOAT_TAG) return true;
  if (node.tag === INT_TAG) return false;
  if (node.source !== undefined && node.source !== "") return !INT_SOURCE.test(node.source);
  return !Number.isInteger(node.value);
}

/** The data of a node with floats marked, for Python-exact hashing. */
export function hashableOf(node: AnyNode, doc: Document.Parsed, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Error("YAML nesting is too deep");
  const current = resolve(node, doc);
  if (isScalar(current)) {
    if (isFloatScalar(current)) return pyFloat(current.value as number);
    return current.value ?? null;
  }
  if (isSeq(current)) return current.items.map((item) => hashableOf(item, doc, depth + 1));
  if (!isMap(current)) return null;
  const entries = new Map<string, unknown>();
  for (const pair of current.items) {
    if (!isMergeKey(pair.key)) entries.set(keyText(pair.key), hashableOf(pair.value, doc, depth + 1));
  }
  for (const source of mergeSources(current, doc)) {
    const merged = hashableOf(source, doc, depth + 1) as Record<string, unknown>;
    for (const [key, value] of Object.entries(merged)) if (!entries.has(key)) entries.set(key, value);
  }
  return Object.fromEntries(entries);
}
