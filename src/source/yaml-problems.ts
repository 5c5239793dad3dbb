import type { Document, Pair } from "yaml";
import type { Problem } from "../core/errors.js";
import { isMap, isMergeKey, isScalar, isSeq, keyText, rangeStart } from "./yaml-document.js";
import type { DocPath, Position } from "./positions.js";

// The problems of a YAML document read with the `yaml` library: syntax errors (one per line), shapes
// that are not plain data (too deep, unsupported tags) and keys repeated in one mapping, each placed.

/** Deepest nesting of mappings and lists read (deeper documents are refused with a located problem). */
export const MAX_YAML_DEPTH = 400;

/** The document's syntax errors, the first of each line. */
export function syntaxProblemsOf(doc: Document.Parsed, file: string, at: (o: number) => Position): Problem[] {
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
export function shapeProblems(doc: Document.Parsed, file: string, at: (o: number) => Position): Problem[] {
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

/** Collects keys repeated in one mapping (two steps of the same name, say), anywhere under `node`. */
export function findDuplicates(node: unknown, path: DocPath, file: string, at: (o: number) => Position, out: Problem[]): void {
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
