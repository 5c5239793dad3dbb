import { resolve } from "node:path";
import { loadPipelineFile } from "../../definition/load-pipeline.js";
import { allNodes } from "../../core/graph.js";
import type { CliIo } from "../io.js";
import { loadPipelineSource } from "../load-pipeline-source.js";

/** `runnable validate FILE`: checks a pipeline without running it; exit 0 when valid, 2 otherwise. */
export async function validateCommand(file: string, io: CliIo): Promise<number> {
  const source = await loadPipelineSource(file, io.cwd);
  const graph = source.kind === "graph" ? source.graph : (await loadPipelineFile(resolve(io.cwd, source.file), { cwd: io.cwd })).graph;
  const count = [...allNodes(graph)].length;
  io.out(`${file}: valid (${count} steps, start at "${graph.startAt}")\n`);
  return 0;
}
