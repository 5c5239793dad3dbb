import { RunnableError } from "../core/errors.js";
import type { Graph } from "../core/graph.js";
import type { Parameters, RunConfig } from "../core/run-log.js";
import { maskDeep, maskSecrets } from "../engine/masking.js";
import type { Secrets } from "../ports/secrets.js";
import { knownSecretValues } from "./known-secrets.js";

/** What a run records of itself before its first step: the parts a secret can hide in. */
export interface PlanRecords {
  runId: string;
  tag: string;
  initialParameters: Parameters;
  runConfig: RunConfig;
  secretValues?: readonly string[];
}

/**
 * The one masking step before anything of a run is written: finds the secret values known from the
 * start (runtime/known-secrets.ts) and masks them in the run's starting parameters (from `-p`,
 * `RUNNABLE_PRM_*` or the SDK: tasks then see `***` too, as a retry reading them back would), its tag
 * and its `run_config` (variables, parameters file name, the pipeline itself). A run id holding a
 * secret cannot be masked without losing the run, so a new run with one is refused.
 */
export async function maskPlanRecords(
  plan: PlanRecords,
  graph: Graph,
  secrets: Secrets,
  options: { warn: (message: string) => void; newRun: boolean },
): Promise<void> {
  const values = await knownSecretValues(graph, secrets, options.warn);
  plan.secretValues = values;
  if (values.length === 0) return;
  const set = new Set(values);
  if (options.newRun && maskSecrets(plan.runId, set) !== plan.runId) {
    throw new RunnableError("CLI_USAGE", `the run id holds the value of a secret of the ${secrets.type} secrets: run ids are recorded and shown everywhere`, {
      hint: "choose another --run-id (or omit it to get a generated one)",
    });
  }
  plan.initialParameters = maskDeep(plan.initialParameters, set);
  plan.tag = maskSecrets(plan.tag, set);
  plan.runConfig = { ...maskDeep(plan.runConfig, set), run_id: plan.runConfig.run_id, tag: plan.tag };
}
