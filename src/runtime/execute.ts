import { runPipeline } from "../engine/run-pipeline.js";
import type { RunResult } from "../engine/services.js";
import { prepareRun, type RunOptions } from "./prepare-run.js";

/** Prepares and runs a pipeline; resolves with its final status (a failed run is not an exception). */
export async function executePipeline(options: RunOptions): Promise<RunResult> {
  const { plan, services } = await prepareRun(options);
  return runPipeline(plan, services);
}
