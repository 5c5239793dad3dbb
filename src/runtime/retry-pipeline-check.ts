import { RunnableError } from "../core/errors.js";
import type { RunLog } from "../core/run-log.js";

/**
 * Refuses to retry a run whose pipeline has changed since it ran (its `dag_hash` differs), as runnable
 * 0.50 does: a retry continues the recorded run, keeping what succeeded, and steps kept from one
 * pipeline and run from another would make one run log describe two pipelines. Running the edited
 * pipeline while reusing what succeeded is a new run: `execute --use-cached`. Runs built in code (the
 * SDKs record an empty hash) are not compared.
 */
export function refuseEditedPipeline(stored: RunLog, pipeline: { dagHash: string }, file: string | undefined): void {
  const recorded = stored.dag_hash || stored.run_config.dag_hash || "";
  const current = pipeline.dagHash;
  if (recorded === "" || current === "" || recorded === current) return;
  const shown = file ?? (stored.run_config.pipeline_file || "the pipeline");
  throw new RunnableError(
    "CLI_USAGE",
    `Run "${stored.run_id}" cannot be retried with ${shown}: the pipeline has changed since the run (dag_hash ${recorded} when it ran, ${current} now)`,
    {
      hint: `A retry continues the pipeline the run recorded. Undo the change to retry it, or run the edited pipeline as a new run that reuses what succeeded: runnable execute -f ${shown} --use-cached ${stored.run_id}`,
    },
  );
}
