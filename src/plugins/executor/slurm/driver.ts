import { join } from "node:path";
import type { DetachOutcome, DetachRequest } from "../../../ports/executor.js";
import type { LaunchState } from "./launches.js";
import { workdirOf } from "./launches.js";
import { recordJob, runFolder, writeJobFiles } from "./run-folder.js";
import { batchScript, jobEnvironment } from "./sbatch.js";
import { timeLimitMinutes } from "./settings.js";
import { submit } from "./slurm-commands.js";

// A detached run is walked by a small batch job of its own, the driver (Nextflow's "head job"): it runs
// `runnable retry <run id>` on the cluster, which takes the run from its TRIGGERED record and submits
// the steps' jobs as this process would have.

/** The sbatch options of a driver job: the config's placement with the driver's own settings, one CPU. */
export function driverSbatchArgs(state: Pick<LaunchState, "config">, files: { workdir: string; output: string; error: string }): string[] {
  const { config } = state;
  const { driver } = config;
  const optional = (flag: string, value: string | number | undefined) => (value === undefined ? [] : [`--${flag}=${value}`]);
  return [
    "--parsable",
    `--chdir=${files.workdir}`,
    `--output=${files.output}`,
    `--error=${files.error}`,
    "--export=ALL",
    "--no-requeue",
    "--cpus-per-task=1",
    ...optional("partition", driver.partition ?? config.partition),
    ...optional("account", config.account),
    ...optional("qos", driver.qos ?? config.qos),
    ...optional("time", driver.time_in_seconds === undefined ? undefined : timeLimitMinutes(driver.time_in_seconds)),
    ...optional("mem", driver.mem),
    ...(driver.sbatch_args ?? []),
  ];
}

/** Submits the driver job of a detached run; resolves with what to tell the user once it is queued. */
export async function submitDriver(state: LaunchState, request: DetachRequest): Promise<DetachOutcome> {
  const { config } = state;
  const folder = runFolder(config, request.cwd, request.runId);
  const command = [...state.runnable, ...request.args];
  const files = await writeJobFiles(
    folder,
    "driver",
    batchScript(config.shell, `walker of run ${request.runId} (detached)`, config.init_commands ?? [], command),
  );
  const args = [
    ...driverSbatchArgs(state, {
      workdir: workdirOf(state, request),
      output: join(folder, "driver.%j.out"),
      error: join(folder, "driver.%j.err"),
    }),
    `--job-name=${config.job_name_prefix}${request.runId}`,
    files.script,
  ];
  const jobId = await submit(state.tracker.slurm, args, jobEnvironment(state.context.env, {}, false));
  await recordJob(folder, { job: jobId, kind: "driver" });
  return {
    message: `run ${request.runId} detached: Slurm job ${jobId} walks it on the cluster (its output: ${join(folder, `driver.${jobId}.out`)}; cancel it with scancel ${jobId})`,
  };
}
