import { runPipeline } from "../engine/run-pipeline.js";
import type { RunResult } from "../engine/services.js";
import { prepareRetry, type RetryOptions } from "./prepare-retry.js";
import { prepareRun, type PreparedRun, type RunOptions } from "./prepare-run.js";

/** Runs a prepared run and disposes of it; resolves with its final status (a failed run is not an exception). */
export async function runPrepared(prepared: PreparedRun): Promise<RunResult> {
  try {
    return await runPipeline(prepared.plan, prepared.services);
  } finally {
    await prepared.dispose();
  }
}

/** Prepares and runs a pipeline (a new run, or a re-run with `useCached`). */
export async function executePipeline(options: RunOptions): Promise<RunResult> {
  return runPrepared(await prepareRun(options));
}

/** Continues a stored run under its own id (`runnable retry`). */
export async function retryRun(options: RetryOptions): Promise<RunResult> {
  return runPrepared(await prepareRetry(options));
}
