import path from "node:path";
import { RunnableError, formatProblem } from "../core/errors.js";
import { analyseDag, invalidPipeline } from "./build-graph.js";
import { dagHash } from "./dag-hash.js";
import { displayName, readFailure } from "./files.js";
import { serialiseGraph } from "./serialise.js";
import type { LoadedPipeline } from "./types.js";
import { topLevelKeyProblems } from "./dag-include.js";
import { MAX_PIPELINE_BYTES } from "../source/bounded-file.js";
import { readSourceText } from "../source/source-text.js";
import { parseYamlSource } from "../source/yaml-source.js";
import { isMapping } from "../core/values.js";

/**
 * Reads a pipeline YAML file and builds its graph. Throws FILE_NOT_FOUND, YAML_SYNTAX, or one
 * PIPELINE_INVALID error whose `problems` hold every problem found (with file:line:col).
 */
export async function loadPipelineFile(file: string, options: { cwd?: string } = {}): Promise<LoadedPipeline> {
  const cwd = options.cwd ?? process.cwd();
  const absolute = path.resolve(cwd, file);
  const shown = displayName(cwd, absolute);
  const text = await readSourceText(
    absolute,
    shown,
    {
      failed: (error) =>
        new RunnableError("FILE_NOT_FOUND", `pipeline file ${absolute} ${readFailure(error)}`, {
          cause: error,
          hint: `check the path (relative paths start from ${cwd})`,
        }),
      invalid: (problem) => new RunnableError("YAML_SYNTAX", `Pipeline ${shown} cannot be read:\n${formatProblem(problem)}`, { problems: [problem] }),
    },
    MAX_PIPELINE_BYTES,
  );
  const source = parseYamlSource(text, shown);
  if (source.syntaxProblems.length > 0) {
    const lines = source.syntaxProblems.map(formatProblem).join("\n");
    throw new RunnableError("YAML_SYNTAX", `Pipeline ${shown} is not valid YAML:\n${lines}`, {
      problems: source.syntaxProblems,
      hint: "fix the YAML at the positions shown (indent with spaces, quote values containing ': ' or '#')",
    });
  }
  const raw = source.value;
  const problems = [...source.duplicateProblems];
  if (!isMapping(raw) || !("dag" in raw)) {
    const message = `no top-level "dag" key; a pipeline file holds its graph under "dag:" (with start_at and steps)`;
    problems.push({ message, file: shown, ...source.positionOf([]), path: "" });
    throw invalidPipeline(`Pipeline ${shown}`, problems);
  }
  problems.push(...topLevelKeyProblems(source, raw));
  const dagOptions = { file: shown, positionOf: source.positionOf, baseDir: path.dirname(absolute), cwd, sourcePath: absolute, owned: true };
  const analysed = analyseDag(raw.dag, dagOptions);
  problems.push(...analysed.problems);
  if (!analysed.graph || problems.length > 0) throw invalidPipeline(`Pipeline ${shown}`, problems);
  const graph = analysed.graph;
  // The hash and the serialised form are computed when first read (`validate` needs neither).
  let hash: string | undefined;
  let serialised: Record<string, unknown> | undefined;
  return {
    graph,
    get dagHash() {
      return (hash ??= dagHash(source.hashable(["dag"])));
    },
    get serialised() {
      return (serialised ??= serialiseGraph(graph));
    },
    file: absolute,
    raw,
  };
}
