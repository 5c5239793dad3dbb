import { posix } from "node:path";
import { buildGraph } from "../definition/build-graph.js";
import { serialiseGraph } from "../definition/serialise.js";
import type { PipelineSource } from "./load-pipeline-source.js";

/** The step name runnable gives a single job. */
export const JOB_STEP = "executing job";

/** One of runnable's single jobs (`execute_function`, `execute_notebook`): a task and the files it catalogs. */
export interface Job {
  /** The task's `command_type` (`python` for a function, `notebook` for a notebook). */
  commandType: string;
  command: string;
  /** Folder the `putInCatalog` patterns are relative to. */
  dataFolder: string;
  putInCatalog?: readonly string[];
  notebookOutputPath?: string;
}

/** A one-step pipeline (`executing job` → success) running the job's command with its catalog puts (runnable records `dag_hash: ""`). */
export function jobSource(job: Job, cwd: string): PipelineSource {
  const puts = (job.putInCatalog ?? []).map((pattern) => posix.join(job.dataFolder || ".", pattern));
  const step: Record<string, unknown> = { type: "task", command_type: job.commandType, command: job.command, next: "success" };
  if (puts.length > 0) step["catalog"] = { get: [], put: puts };
  if (job.notebookOutputPath) step["notebook_output_path"] = job.notebookOutputPath;
  const graph = buildGraph({ start_at: JOB_STEP, steps: { [JOB_STEP]: step } }, { baseDir: cwd, cwd });
  return { kind: "graph", graph, serialised: serialiseGraph(graph), name: job.command, file: null, dagHash: "" };
}
