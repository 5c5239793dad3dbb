import { RunnableError, messageOf } from "../core/errors.js";
import { recordTriggeredRun } from "../engine/run-pipeline.js";
import type { DetachOutcome } from "../ports/executor.js";
import type { PreparedRun } from "./prepare.js";

/** Files given explicitly to a detached `retry` (the walker gets them too; otherwise it reads the run's own). */
export interface DetachFiles {
  file?: string;
  parametersFile?: string;
}

/** The `runnable` arguments of the walker: a retry of the run, which the walker continues from its record. */
function walkerArgs(prepared: PreparedRun, explicit: DetachFiles): string[] {
  const { plan } = prepared;
  const config = plan.runConfig.configuration_file;
  return [
    "retry",
    plan.runId,
    ...(config ? ["--config-file", config] : []),
    ...(explicit.file ? ["--file", explicit.file] : []),
    ...(explicit.parametersFile ? ["--parameters-file", explicit.parametersFile] : []),
  ];
}

/** Why a prepared run cannot be detached, or undefined when it can. */
function detachProblem(prepared: PreparedRun): RunnableError | undefined {
  const { plan, services } = prepared;
  const { executor } = services;
  if (!executor.capabilities.detach || !executor.detach) {
    return new RunnableError("UNSUPPORTED", `executor ${executor.type} cannot detach: its runs are walked by the process that starts them`, {
      hint: "run without --detach (or under nohup/tmux), or use an executor that can hand the walk to where its steps run (one declaring capabilities.detach)",
    });
  }
  if (plan.mode.kind === "cached") {
    return new RunnableError("UNSUPPORTED", "--detach cannot be combined with --use-cached", {
      hint: "run the re-run without --detach, or detach a plain run",
    });
  }
  if (!plan.runConfig.pipeline_file) {
    return new RunnableError("UNSUPPORTED", `run ${plan.runId} was built in code: a detached walker reads the pipeline from its file`, {
      hint: "write the pipeline to a file (YAML, or a TypeScript module) and run it with `runnable execute -f <file> --detach`",
    });
  }
  return undefined;
}

/**
 * Hands a prepared run to its executor's walker (`--detach`) and disposes of it: the run is recorded
 * TRIGGERED (a new run's log is created, with its config and initial parameters), then the executor
 * starts `runnable retry <run id>` where the steps run (a batch job), which walks it from the store.
 * If the walker cannot be started the run is recorded FAIL. Resolves with what to tell the user.
 */
export async function detachRun(prepared: PreparedRun, explicit: DetachFiles = {}): Promise<DetachOutcome> {
  const { plan, services } = prepared;
  try {
    const problem = detachProblem(prepared);
    if (problem) throw problem;
    await recordTriggeredRun(plan, services);
    try {
      return await services.executor.detach!({ runId: plan.runId, args: walkerArgs(prepared, explicit), cwd: plan.cwd });
    } catch (error) {
      await services.runLogStore
        .setStatus(plan.runId, "FAIL")
        .catch((failure: unknown) => services.warn(`could not record run ${plan.runId} FAIL: ${messageOf(failure)}`));
      throw error;
    }
  } finally {
    await prepared.dispose();
  }
}
