import { readFile } from "node:fs/promises";
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from "yaml";
import { formatProblem, messageOf, RunnableError, type Problem } from "../core/errors.js";

/** A parsed YAML file that can point at its own keys and values. */
export interface YamlSource {
  /** The file's name as shown to the user. */
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The whole document as plain data (null for an empty file). */
  value: unknown;
}

/** A path inside a YAML document: mapping keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** Reads and parses a YAML file; FILE_NOT_FOUND when missing (unless `optional`, then null), YAML_SYNTAX when broken. */
export async function readYamlSource(absolute: string, shown: string, optional = false): Promise<YamlSource | null> {
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (optional && code === "ENOENT") return null;
    if (code === "ENOENT") {
      throw new RunnableError("FILE_NOT_FOUND", `configuration file ${shown} not found (looked at ${absolute})`, {
        hint: "check the path given with -c/--config or RUNNABLE_CONFIGURATION_FILE",
        cause: error,
      });
    }
    throw new RunnableError("CONFIG_INVALID", `could not read ${shown}: ${messageOf(error)}`, { cause: error });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems: Problem[] = doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { message: error.message.split("\n")[0] ?? error.message, file: shown, line, col };
    });
    throw new RunnableError("YAML_SYNTAX", `${shown} is not valid YAML:\n${problems.map(formatProblem).join("\n")}`, { problems });
  }
  return { file: shown, doc, lineCounter, value: doc.toJS() as unknown };
}

/** The text of a mapping key (scalars only; other keys give their YAML text). */
export function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function child(doc: Document, node: unknown, segment: string | number): { pair?: Pair; node: unknown } | undefined {
  if (isAlias(node)) return child(doc, node.resolve(doc), segment);
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && keyText(item) === String(segment));
    return pair ? { pair, node: pair.value } : undefined;
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment];
    return item === undefined ? undefined : { node: item };
  }
  return undefined;
}

function offsetOf(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

/**
 * Where `path` is in the document: the key that names it (`at: "key"`) or its value (`at: "value"`).
 * When the path does not exist, the deepest part that does.
 */
export function locate(source: YamlSource, path: YamlPath, at: "key" | "value" = "key"): Pick<Problem, "file" | "line" | "col"> {
  let node: unknown = source.doc.contents;
  let offset = offsetOf(node);
  for (const segment of path) {
    const next = child(source.doc, node, segment);
    if (!next) break;
    node = next.node;
    const preferred = at === "key" && next.pair ? next.pair.key : next.node;
    offset = offsetOf(preferred) ?? offsetOf(next.pair?.key) ?? offset;
  }
  const position = offset === undefined ? undefined : source.lineCounter.linePos(offset);
  return { file: source.file, ...(position ? { line: position.line, col: position.col } : {}) };
}

/** A problem located at `path` in `source`. */
export function problemAt(source: YamlSource, path: YamlPath, message: string, at: "key" | "value" = "key"): Problem {
  return { message, ...locate(source, path, at), path: path.join(".") };
}

/** The plain value at `path` (undefined when absent; aliases resolved). */
export function valueAt(source: YamlSource, path: YamlPath): unknown {
  let value = source.value;
  for (const segment of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** The keys of the mapping node at `path`, in order; undefined when it is not a mapping. */
export function mappingKeys(source: YamlSource, path: YamlPath): string[] | undefined {
  let node: unknown = source.doc.contents;
  for (const segment of path) node = child(source.doc, node, segment)?.node;
  if (isAlias(node)) node = node.resolve(source.doc);
  if (!isMap(node)) return undefined;
  return node.items.map((pair) => keyText(pair));
}
