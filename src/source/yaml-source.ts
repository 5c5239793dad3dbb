import type { Problem } from "../core/errors.js";
import { readFastYaml } from "./fast-yaml.js";
import type { DocPath, Position, PositionOf } from "./positions.js";
import { hashableOf, locate, positionIn, yamlLibrary } from "./yaml-document.js";
import { findDuplicates, shapeProblems, syntaxProblemsOf } from "./yaml-problems.js";

export { MAX_YAML_DEPTH } from "./yaml-problems.js";

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
