import { existsSync } from "node:fs";
import path from "node:path";
import type { Graph } from "../core/graph.js";
import { report } from "./context.js";
import type { BuildContext } from "./context.js";
import { displayName, readFailure, realPathOf } from "./files.js";
import type { StepInput } from "./step-input.js";
import { MAX_PIPELINE_BYTES, readBoundedFileSync } from "../source/bounded-file.js";
import { decodeSourceText } from "../source/source-text.js";
import { parseYamlSource, type YamlSource } from "../source/yaml-source.js";
import type { Problem } from "../core/errors.js";
import { nearest } from "../core/suggest.js";
import { isMapping } from "../core/values.js";

/** Reads the file named by a `dag` step's `dag_definition` and builds its `dag` block as a branch. */
export function loadDagDefinition(ctx: BuildContext, input: StepInput, definition: string, branchName: string): Graph | undefined {
  const definitionPath = [...input.path, "dag_definition"];
  if (!/\.ya?ml$/i.test(definition)) {
    report(ctx, definitionPath, `${input.label}: dag_definition must be a YAML file ending in .yaml or .yml, got "${definition}"`);
    return undefined;
  }
  // Relative to the including file; runnable resolves from the working directory, so that is the fallback.
  const besideFile = path.resolve(ctx.baseDir, definition);
  const fromCwd = path.resolve(ctx.cwd, definition);
  const absolute = !existsSync(besideFile) && existsSync(fromCwd) ? fromCwd : besideFile;
  const real = realPathOf(absolute);
  if (ctx.includeStack.includes(real)) {
    const chain = [...ctx.includeStack, real].map((file) => displayName(ctx.cwd, file)).join(" -> ");
    report(
      ctx,
      definitionPath,
      `${input.label}: dag_definition "${definition}" includes itself (${chain}); a pipeline cannot include itself, directly or indirectly`,
    );
    return undefined;
  }
  let bytes: Uint8Array;
  try {
    bytes = readBoundedFileSync(absolute, MAX_PIPELINE_BYTES);
  } catch (error) {
    const where = `${absolute}; relative paths start from ${ctx.baseDir}, then from ${ctx.cwd}`;
    report(ctx, definitionPath, `${input.label}: dag_definition file "${definition}" ${readFailure(error)} (${where})`);
    return undefined;
  }
  const file = displayName(ctx.cwd, absolute);
  const decoded = decodeSourceText(bytes, file);
  if ("problem" in decoded) {
    ctx.problems.push(decoded.problem);
    return undefined;
  }
  const source = parseYamlSource(decoded.text, file);
  ctx.problems.push(...source.syntaxProblems, ...source.duplicateProblems);
  if (source.syntaxProblems.length > 0) return undefined;
  if (!isMapping(source.value) || !("dag" in source.value)) {
    const message = `no top-level "dag" key in ${file} (included by ${input.label}); put the nested pipeline under "dag:"`;
    ctx.problems.push({ message, file, line: 1, col: 1 });
    return undefined;
  }
  ctx.problems.push(...topLevelKeyProblems(source, source.value));
  const child: BuildContext = {
    ...ctx,
    source: { file, positionOf: source.positionOf },
    baseDir: path.dirname(absolute),
    includeStack: [...ctx.includeStack, real],
  };
  return ctx.buildBranch(child, source.value.dag, ["dag"], branchName);
}

/** Top-level keys of a pipeline file other than `dag`, unless they hold anchored blocks the dag reuses (as runnable's examples do). */
export function topLevelKeyProblems(source: YamlSource, document: Record<string, unknown>): Problem[] {
  return Object.keys(document)
    .filter((key) => key !== "dag" && !source.anchored([key]))
    .map((key) => {
      const near = nearest(key, ["dag"]) ? ' (did you mean "dag"?)' : "";
      const message = `unknown top-level key "${key}"${near}; a pipeline file holds "dag" (start_at, steps, description, name go inside it) and anchored blocks the dag reuses (key: &name ...)`;
      return { message, file: source.file, ...source.positionOf([key], "key"), path: key };
    });
}
