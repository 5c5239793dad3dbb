import { createRequire } from "node:module";
import type * as YamlLibrary from "yaml";
import type { Alias, Document, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import type { Problem } from "../core/errors.js";
import { readFastYaml } from "./fast-yaml.js";
import { pyFloat, pythonFloat } from "./python-json.js";
import type { DocPath, Position, PositionOf } from "./positions.js";

/** A parsed YAML file: its data, its problems and a way to locate paths in it. */
export interface YamlSource {
  /** File name shown in problems. */
  file: string;
  /** Plain data of the whole document; `undefined` when there are syntax problems. */
  value: unknown;
  /** YAML syntax errors (the document cannot be trusted). */
  syntaxProblems: Problem[];
  /** Keys repeated in one mapping (e.g. two steps with the same name). */
  duplicateProblems: Problem[];
  positionOf: PositionOf;
  /** The data at `path` with YAML floats marked, for Python-exact hashing. */
  hashable(path: DocPath): unknown;
  /** True when the node at `path` carries an anchor (`&name`: a block written to be reused by aliases). */
  anchored(path: DocPath): boolean;
}

// The `yaml` library is loaded the first time a Document is needed: plain documents are read by the
// fast path and never need it, so a run's start-up does not compile it (~250 KB).
const requireHere = createRequire(import.meta.url);
const yamlLibrary = (): typeof YamlLibrary => requireHere("yaml") as typeof YamlLibrary;
const isAlias = (node: unknown): node is Alias => yamlLibrary().isAlias(node);
const isMap = (node: unknown): node is YAMLMap => yamlLibrary().isMap(node);
const isScalar = (node: unknown): node is Scalar => yamlLibrary().isScalar(node);
const isSeq = (node: unknown): node is YAMLSeq => yamlLibrary().isSeq(node);

type AnyNode = unknown;
const FLOAT_TAG = "tag:yaml.org,2002:float";
const INT_TAG = "tag:yaml.org,2002:int";
const INT_SOURCE = /^[-+]?(?:0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/;
const MAX_DEPTH = 500;
/** Deepest nesting of mappings and lists read (deeper documents are refused with a located problem). */
export const MAX_YAML_DEPTH = 400;

/**
 * Parses YAML text (YAML 1.2, merge keys on, duplicate keys reported) into a {@link YamlSource}. A plain
 * document is read on the fast path (fast-yaml.ts); the `yaml` library's Document, which knows where
 * everything is, is then parsed only when a position is asked for (that is, when there is a problem).
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const fast = readFastYaml(text, FAST_MAX_DEPTH);
  if (!fast) return parseWithDocument(text, file);
  let located: YamlSource | undefined;
  const slow = (): YamlSource => (located ??= parseWithDocument(text, file));
  return {
    file,
    value: fast.value,
    syntaxProblems: [],
    duplicateProblems: [],
    positionOf: (path, where) => slow().positionOf(path, where),
    hashable: (path) => fast.hashable(path),
    // Only asked about top-level keys other than `dag` (rare): the Document knows anchors.
    anchored: (path) => slow().anchored(path),
  };
}

/** Nesting the fast path reads (deeper documents go to the `yaml` library, which reports them). */
const FAST_MAX_DEPTH = 400;

function parseWithDocument(text: string, file: string): YamlSource {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number): Position => lineCounter.linePos(offset);
  const syntaxProblems = syntaxProblemsOf(doc, file, at);
  if (syntaxProblems.length === 0) syntaxProblems.push(...shapeProblems(doc, file, at));
  const duplicateProblems: Problem[] = [];
  let value: unknown;
  if (syntaxProblems.length === 0) {
    findDuplicates(doc.contents, [], file, at, duplicateProblems);
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      syntaxProblems.push({ message: `cannot read the YAML: ${(error as Error).message}`, file, line: 1, col: 1 });
    }
  }
  return {
    file,
    value,
    syntaxProblems,
    duplicateProblems,
    positionOf: (path, where = "value") => positionIn(doc, path, where, at),
    hashable: (path) => {
      const found = locate(doc, path);
      return found.complete ? hashableOf(found.node, doc, 0) : undefined;
    },
    anchored: (path) => {
      const found = locate(doc, path);
      return found.complete && typeof (found.node as { anchor?: unknown } | null)?.anchor === "string";
    },
  };
}

function syntaxProblemsOf(doc: Document.Parsed, file: string, at: (o: number) => Position): Problem[] {
  const seenLines = new Set<number>();
  const problems: Problem[] = [];
  for (const error of doc.errors) {
    const { line, col } = at(error.pos[0]);
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    let text = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    if (/Maximum call stack size exceeded/.test(text)) text = DEEP;
    const hint = error.code === "TAB_AS_INDENT" ? " (indent with spaces)" : "";
    problems.push({ message: `YAML syntax error: ${text}${hint}`, file, line, col });
  }
  return problems;
}

const DEEP = `the YAML nests mappings and lists too deeply to be read (at most ${MAX_YAML_DEPTH} levels); flatten it, e.g. move inner branches into dag_definition files`;

/** Explicit tags of plain data (others, such as `!!python/object`, `!!binary` or `!!set`, are refused). */
const DATA_TAGS = new Set(["str", "int", "float", "bool", "null", "map", "seq", "merge"].map((name) => `tag:yaml.org,2002:${name}`));

const shownTag = (tag: string): string => tag.replace(/^tag:yaml\.org,2002:/, "!!");

function unsupportedTag(tag: string, file: string, where: Position): Problem {
  const message = `YAML tag ${shownTag(tag)} is not supported: pipelines, configs and parameters are plain data (mappings, lists, strings, numbers, booleans, null); remove the tag`;
  return { message, file, ...where };
}

/**
 * Problems of the document's shape, found without recursion: nesting deeper than {@link MAX_YAML_DEPTH}
 * and tags that are not plain data (an unresolved tag would otherwise be read as text silently).
 */
function shapeProblems(doc: Document.Parsed, file: string, at: (o: number) => Position): Problem[] {
  const problems: Problem[] = doc.warnings
    .filter((warning) => warning.code === "TAG_RESOLVE_FAILED")
    .map((warning) => unsupportedTag(/tag:? (\S+)/.exec(warning.message)?.[1] ?? "", file, at(warning.pos[0])));
  const stack: Array<[unknown, number]> = [[doc.contents, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    const tag = (node as { tag?: unknown } | null)?.tag;
    const explicit = typeof tag === "string" && !DATA_TAGS.has(tag) && !problems.some((p) => p.message.includes(shownTag(tag)));
    if (explicit && (isMap(node) || isSeq(node) || isScalar(node))) problems.push(unsupportedTag(tag, file, at(rangeStart(node) ?? 0)));
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_YAML_DEPTH) return [...problems, { message: `YAML syntax error: ${DEEP}`, file, ...at(rangeStart(node) ?? 0) }];
    for (const item of node.items as unknown[]) {
      if (isMap(node)) stack.push([(item as Pair).key, depth + 1], [(item as Pair).value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return problems;
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  return typeof key.value === "symbol" || (key.value === "<<" && key.type === "PLAIN");
}

function keyText(key: unknown): string {
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
function locate(doc: Document.Parsed, path: DocPath): Located {
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

function rangeStart(node: AnyNode): number | undefined {
  if (typeof node !== "object" || node === null || !("range" in node)) return undefined;
  const range = (node as { range?: [number, number, number] }).range;
  return range?.[0];
}

function positionIn(doc: Document.Parsed, path: DocPath, where: "key" | "value", at: (o: number) => Position): Position {
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

function hashableOf(node: AnyNode, doc: Document.Parsed, depth: number): unknown {
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

function findDuplicates(node: AnyNode, path: DocPath, file: string, at: (o: number) => Position, out: Problem[]): void {
  if (isSeq(node)) for (const [index, item] of node.items.entries()) findDuplicates(item, [...path, index], file, at, out);
  if (!isMap(node)) return;
  const seen = new Map<string, Pair>();
  for (const pair of node.items) {
    if (isMergeKey(pair.key)) continue;
    const key = keyText(pair.key);
    const first = seen.get(key);
    if (first) out.push(duplicateProblem(key, path, first, pair, file, at));
    else seen.set(key, pair);
    findDuplicates(pair.value, [...path, key], file, at, out);
  }
}

function duplicateProblem(key: string, path: DocPath, first: Pair, pair: Pair, file: string, at: (o: number) => Position): Problem {
  const firstLine = at(rangeStart(first.key) ?? 0).line;
  const { line, col } = at(rangeStart(pair.key) ?? 0);
  const where = path.length ? ` in ${path.join(".")}` : "";
  const message =
    path[path.length - 1] === "steps"
      ? `duplicate step name "${key}"${where} (first defined at line ${firstLine}); step names must be unique in a graph`
      : `duplicate key "${key}"${where} (first defined at line ${firstLine}); keys must be unique in a mapping`;
  return { message, file, line, col, path: [...path, key].join(".") };
}
