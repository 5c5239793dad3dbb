import type { Graph } from "../core/graph.js";
import type { Problem } from "../core/errors.js";
import { type DocSource, problemAt } from "../source/positions.js";
import type { DocPath } from "./types.js";

/** Where the definition being built comes from (a YAML file, or a plain object). */
export type { DocSource };

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
  ctx.problems.push(problemAt(ctx.source, path, message, at));
}
