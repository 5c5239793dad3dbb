import type { Problem } from "../core/errors.js";

// Where things are in a source document (a YAML file, or a plain object with no file), and problems
// placed there: the pipeline definition and the services config report their problems the same way.

/** A path inside a parsed document: mapping keys and sequence indexes, from the document root. */
export type DocPath = ReadonlyArray<string | number>;

/** A 1-based line and column in a source file. */
export interface Position {
  line: number;
  col: number;
}

/** Locates a path in the source: at its key (`"key"`) or at its value (default). */
export type PositionOf = (path: DocPath, at?: "key" | "value") => Position | undefined;

/** Where a document comes from: its file name shown in problems and a way to locate paths (both absent for plain objects). */
export interface DocSource {
  file?: string | undefined;
  positionOf?: PositionOf | undefined;
}

/**
 * A problem placed at `path` of `source`: at its key or at its value (the deepest part of the path that
 * exists when it does not), with the file name and the dotted path.
 */
export function problemAt(source: DocSource, path: DocPath, message: string, at: "key" | "value" = "key"): Problem {
  const problem: Problem = { message };
  if (source.file !== undefined) problem.file = source.file;
  const position = source.positionOf?.(path, at);
  if (position) {
    problem.line = position.line;
    problem.col = position.col;
  }
  problem.path = path.join(".");
  return problem;
}
