import type { Graph } from "../core/graph.js";
import type { Problem } from "../core/errors.js";
import type { DocPath, PositionOf } from "../source/positions.js";

/** Paths and positions in documents (defined in source/, where documents are read). */
export type { DocPath, Position, PositionOf } from "../source/positions.js";

/** A pipeline file read, validated and turned into a graph. */
export interface LoadedPipeline {
  graph: Graph;
  /** runnable's `dag_hash` of the `dag` block as written (§2.9). */
  dagHash: string;
  /** The graph in runnable's serialised form (`run_config.dag`, §2.10). */
  serialised: Record<string, unknown>;
  /** Absolute path of the pipeline file. */
  file: string;
  /** The whole parsed document as plain JSON-like data. */
  raw: unknown;
}

/** Options of {@link buildGraph} / {@link analyseDag}. */
export interface BuildGraphOptions {
  /** File name shown in problems (YAML input); omitted for SDK input. */
  file?: string;
  /** Locates document paths in the source (YAML input). */
  positionOf?: PositionOf;
  /** Directory that relative `dag_definition` paths are resolved against. */
  baseDir: string;
  /** Directory that included file names are shown relative to (default: process.cwd()). */
  cwd?: string;
  /** Absolute path of the file holding the dag, to catch a `dag_definition` including it again. */
  sourcePath?: string;
  /** Document path of the dag block (default `["dag"]`); problems' paths start with it. */
  rootPath?: DocPath;
  /** The caller hands `dag` over (freshly parsed, used by nothing else), so it is built without a copy. */
  owned?: boolean;
}

/** A built graph (when there were no problems) and every problem found. */
export interface AnalysedDag {
  graph: Graph | undefined;
  problems: Problem[];
}
