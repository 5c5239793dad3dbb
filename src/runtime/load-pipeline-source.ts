import { stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { RunnableError, isRunnableError } from "../core/errors.js";
import { type Graph, TASK_FUNCTION, TASK_PIPELINE_MODULE, allNodes } from "../core/graph.js";
import { isBuiltPipeline } from "../core/pipeline-object.js";
import { loadServicesConfig } from "../config/load-config.js";
import { dagHash } from "../definition/dag-hash.js";
import { loadPipelineFile } from "../definition/load-pipeline.js";
import { serialiseGraph } from "../definition/serialise.js";
import { importModule, moduleLoadError } from "../io/import-module.js";
import type { ScriptLaunch } from "../ports/plugin.js";
import { builtinRegistry } from "./builtins.js";
import { knownServiceSchemas } from "./compose-services.js";
import type { Registry } from "./registry.js";

// The one way a pipeline comes in: a YAML file, a TypeScript/JavaScript module whose default export is
// a pipeline, a graph built in code (the SDK), or a script of a task kind's language (the Python SDK)
// that hands its pipeline over when it runs (sdk-payload.ts reads what it sends).

/** A pipeline to run: a pipeline file (YAML, or a module by its extension), a YAML file, or a graph built in code. */
export type PipelineSource =
  | { kind: "file"; file: string }
  | { kind: "yaml"; file: string }
  | { kind: "graph"; graph: Graph; serialised: Record<string, unknown>; name: string; file: string | null; dagHash?: string };

/** A loaded pipeline with what `run_config` records of it. */
export interface LoadedPipeline {
  graph: Graph;
  serialised: Record<string, unknown>;
  dagHash: string;
  name: string;
  file: string | null;
}

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".tsx"]);

/**
 * Resolves a pipeline file into a source: a TypeScript/JavaScript module is imported now and its
 * default-exported pipeline built; any other file stays a YAML file, read when it is loaded.
 */
export async function resolveSource(source: PipelineSource, cwd: string): Promise<Exclude<PipelineSource, { kind: "file" }>> {
  if (source.kind !== "file") return source;
  const { file } = source;
  if (!MODULE_EXTENSIONS.has(extname(file))) return { kind: "yaml", file };
  const path = resolve(cwd, file);
  const stats = await stat(path).catch(() => undefined);
  if (!stats) throw new RunnableError("FILE_NOT_FOUND", `pipeline file ${file} not found`, { hint: "check the path given to -f/--file" });
  if (!stats.isFile()) {
    throw new RunnableError("FILE_NOT_FOUND", `pipeline file ${file} is not a regular file: runnable reads only regular files`, {
      hint: "give -f/--file a YAML file or a TypeScript/JavaScript module",
    });
  }
  const candidate = (await importPipelineModule(path, file)).default;
  if (!isBuiltPipeline(candidate)) {
    throw new RunnableError("EXPORT_NOT_FOUND", `pipeline module ${file} has no default-exported pipeline`, {
      // \u0022: the same text, without an import statement's shape in the built module (tests list the package's imports by pattern).
      hint: "end the module with `export default pipeline({ steps: [...] })` (import { pipeline } from \u0022runnable-ts\u0022)",
    });
  }
  const { graph } = candidate.build();
  // Its in-memory functions can be found again by importing the module (in a worker thread, say).
  for (const node of allNodes(graph)) {
    if (node.kind === "task" && (node.task as unknown as Record<symbol, unknown>)[TASK_FUNCTION]) {
      Object.defineProperty(node.task, TASK_PIPELINE_MODULE, { value: path, enumerable: false });
    }
  }
  return { kind: "graph", graph, serialised: serialiseGraph(graph), name: candidate.name || basename(file), file };
}

async function importPipelineModule(path: string, file: string): Promise<Record<string, unknown>> {
  try {
    return await importModule(path);
  } catch (error) {
    // A mistake the SDK found while the module built its pipeline keeps its own message and hint.
    if (isRunnableError(error)) {
      throw new RunnableError(error.code, `pipeline module ${file}: ${error.message}`, {
        cause: error,
        problems: error.problems,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
    throw moduleLoadError(`pipeline module ${file}`, error);
  }
}

/** Loads a pipeline source (resolving a file first) into its graph and what `run_config` records of it. */
export async function loadSource(source: PipelineSource, cwd: string): Promise<LoadedPipeline> {
  const resolved = await resolveSource(source, cwd);
  if (resolved.kind === "graph") {
    const { graph, serialised, name, file } = resolved;
    return { graph, serialised, dagHash: resolved.dagHash ?? dagHash(serialised), name, file };
  }
  const loaded = await loadPipelineFile(resolve(cwd, resolved.file), { cwd });
  // `serialised` and `dagHash` stay lazy (computed on first read; `validate` reads neither).
  return {
    graph: loaded.graph,
    get serialised() {
      return loaded.serialised;
    },
    get dagHash() {
      return loaded.dagHash;
    },
    name: basename(resolved.file),
    file: resolved.file,
  };
}

/** Where to find the services config a script's launch reads (its task kind's `task_runners` settings). */
export interface ScriptOptions {
  configFile?: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  registry?: Registry;
}

/**
 * How to run `file` when it is a pipeline script of a task kind's language (a task plug-in declares
 * `pipelineScripts` for its extension, e.g. `.py` for the Python SDK); undefined for any other file.
 */
export async function pipelineScript(file: string, options: ScriptOptions): Promise<ScriptLaunch | undefined> {
  const registry = options.registry ?? builtinRegistry();
  const extension = extname(file).toLowerCase();
  const definition = registry.all("task").find((task) => task.pipelineScripts?.extensions.includes(extension));
  if (!definition?.pipelineScripts) return undefined;
  let settings: unknown;
  try {
    const { configFile, cwd, env } = options;
    const config = await loadServicesConfig({ ...(configFile ? { file: configFile } : {}), env, cwd, known: knownServiceSchemas(registry) });
    settings = config.taskRunners[definition.type];
  } catch (error) {
    if (!isRunnableError(error)) throw error;
    // an invalid config is reported when the pipeline runs, with every problem
  }
  return definition.pipelineScripts.launch(file, settings ?? definition.configSchema.parse({}), { cwd: options.cwd, env: options.env });
}
