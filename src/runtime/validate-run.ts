import type { Graph } from "../core/graph.js";
import { RUN_ID_HINT, validateRunId } from "../core/run-id.js";
import { RunnableError } from "../core/errors.js";
import { baseOptions, checkBeforeRun, composeRun } from "./compose-run.js";
import { initialParameters } from "./initial-parameters.js";
import { loadSource, type PipelineSource } from "./prepare-run.js";
import type { Registry } from "./registry.js";

/** Options of {@link validateRun}: what `runnable execute` would be given. */
export interface ValidateOptions {
  source: PipelineSource;
  configFile?: string;
  parametersFile?: string;
  runId?: string;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  registry?: Registry;
  warn?: (message: string) => void;
}

/**
 * Runs every check `execute` runs before a run starts (the pipeline, the services config and the
 * executor × service rules, a runner and a loadable module or function for every task, the store and
 * catalog folders, the initial parameters, the run id) and writes nothing; resolves with the graph.
 */
export async function validateRun(options: ValidateOptions): Promise<Graph> {
  const { cwd, env, warn } = baseOptions(options);
  const composed = await composeRun({ ...options, cwd, env, warn });
  try {
    const pipeline = await loadSource(options.source, cwd);
    await checkBeforeRun(pipeline.graph, composed, cwd);
    await initialParameters(options.parametersFile, env, cwd);
    const problem = options.runId === undefined ? undefined : validateRunId(options.runId);
    if (problem) throw new RunnableError("CLI_USAGE", `invalid run id "${options.runId}": ${problem}`, { hint: RUN_ID_HINT });
    return pipeline.graph;
  } finally {
    await composed.dispose();
  }
}
