import type { Graph } from "../core/graph.js";
import type { Problem } from "../core/errors.js";
import type { DocPath, PositionOf } from "./types.js";

/** Where the definition being built comes from (a YAML file, or a plain object). */
export interface DocSource {
  file?: string;
  positionOf?: PositionOf;
}

/** Builds a branch graph; passed around so node builders need not import the graph builder. */
export type BuildBranch = (ctx: BuildContext, value: unknown, path: DocPath, internalBranchName: string) => Graph | undefined;

/** Everything the builders share while turning one definition into a graph. */
export interface BuildContext {
  readonly source: DocSource;
  /** Directory that relative `dag_definition` paths are resolved against. */
  readonly baseDir: string;
  /** Directory that file names in problems are shown relative to. */
  readonly cwd: string;
  /** Absolute paths of the files whose dag is being built, outermost first. */
  readonly includeStack: readonly string[];
  /** Collects every problem (shared by all nested contexts). */
  readonly problems: Problem[];
  readonly buildBranch: BuildBranch;
}

/** Records a problem located at `path` (its key or its value) in the current source. */
export function report(ctx: BuildContext, path: DocPath, message: string, at: "key" | "value" = "value"): void {
  const problem: Problem = { message };
  if (ctx.source.file !== undefined) problem.file = ctx.source.file;
  const position = ctx.source.positionOf?.(path, at);
  if (position) {
    problem.line = position.line;
    problem.col = position.col;
  }
  problem.path = path.join(".");
  ctx.problems.push(problem);
}

/** A short description of a value for messages: `"x"`, `3`, `a list`, `a mapping`, ... */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}
