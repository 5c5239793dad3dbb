import { allNodes } from "../../core/graph.js";
import { validateRun } from "../../runtime/validate-run.js";
import type { CliIo } from "../io.js";
import { createCliLog } from "../log-level.js";
import { loadPipelineSource } from "../load-pipeline-source.js";

/** Options of `runnable validate`: the ones of `runnable execute` that change what is checked. */
export interface ValidateCommandOptions {
  configFile?: string;
  parametersFile?: string;
  logLevel?: string;
}

/**
 * `runnable validate FILE`: every check `runnable execute` makes before a run starts, nothing
 * written; exit 0 when the pipeline would start, 2 otherwise.
 */
export async function validateCommand(file: string, options: ValidateCommandOptions, io: CliIo): Promise<number> {
  const log = createCliLog(options.logLevel, io.err);
  const source = await loadPipelineSource(file, io.cwd);
  const graph = await validateRun({
    source,
    cwd: io.cwd,
    env: io.env,
    warn: log.warn,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.parametersFile ? { parametersFile: options.parametersFile } : {}),
  });
  const count = [...allNodes(graph)].length;
  io.out(`${file}: valid (${count} steps, start at "${graph.startAt}")\n`);
  return 0;
}
