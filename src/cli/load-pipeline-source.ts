import { access } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { RunnableError, isRunnableError } from "../core/errors.js";
import { serialiseGraph } from "../definition/serialise.js";
import { importModule, moduleLoadError } from "../plugins/task/typescript/load-function.js";
import type { PipelineSource } from "../runtime/prepare-run.js";
import { isPipeline } from "../sdk/pipeline.js";

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".tsx"]);

/** A YAML file as is; a TypeScript/JavaScript module through its default-exported pipeline. */
export async function loadPipelineSource(file: string, cwd: string): Promise<PipelineSource> {
  if (!MODULE_EXTENSIONS.has(extname(file))) return { kind: "yaml", file };
  const path = resolve(cwd, file);
  try {
    await access(path);
  } catch {
    throw new RunnableError("FILE_NOT_FOUND", `pipeline file ${file} not found`, { hint: "check the path given to -f/--file" });
  }
  let module: Record<string, unknown>;
  try {
    module = await importModule(path);
  } catch (error) {
    // A mistake the SDK found while the module built its pipeline keeps its own message and hint.
    if (isRunnableError(error))
      throw new RunnableError(error.code, `pipeline module ${file}: ${error.message}`, {
        cause: error,
        problems: error.problems,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    throw moduleLoadError(`pipeline module ${file}`, error);
  }
  const candidate = module.default;
  if (!isPipeline(candidate)) {
    throw new RunnableError("EXPORT_NOT_FOUND", `pipeline module ${file} has no default-exported pipeline`, {
      hint: 'end the module with `export default pipeline({ steps: [...] })` (import { pipeline } from "runnable-ts")',
    });
  }
  const { graph } = candidate.build();
  return { kind: "graph", graph, serialised: serialiseGraph(graph), name: candidate.name || basename(file), file };
}
