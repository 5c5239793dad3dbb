import type { MapVariable } from "../../../core/names.js";
import { type JobSettings, resourceArgs } from "./settings.js";

/** Set in a step's batch job, so the executor inside runs its step there instead of submitting another job. */
export const IN_JOB_ENV = "RUNNABLE_SLURM_STEP";

/** Quotes one word for a POSIX shell (single quotes; a quote inside becomes '\''). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Which items of a map a job runs: one step (maybe one item), or one chunk per array task from a file. */
export type JobItems = { kind: "one"; mapVariable: MapVariable } | { kind: "chunks"; file: string; count: number };

/** Everything that decides one step's batch job. */
export interface StepJob {
  runId: string;
  /** The step's internal name (map placeholders unresolved). */
  internalName: string;
  items: JobItems;
  pipelineFile: string;
  configFile: string | null;
  parametersFile: string | null;
  tag: string;
  /** How the compute node starts `runnable` (e.g. [node, /path/bin/runnable.js]). */
  runnable: readonly string[];
  settings: JobSettings;
  jobName: string;
  /** Absolute working directory of the job (`--chdir`). */
  workdir: string;
  /** Absolute paths of the job's stdout and stderr (`%a`: the array task). */
  output: string;
  error: string;
  /** Array tasks running at once (`%N`). */
  maxParallel?: number;
  /** The script's interpreter (its `#!` line). */
  shell: string;
}

/** The `runnable execute-single-node …` command of a job (the map items from the array task's chunk). */
export function stepCommand(
  job: Pick<StepJob, "runId" | "internalName" | "items" | "pipelineFile" | "configFile" | "parametersFile" | "tag" | "runnable">,
): string[] {
  const items =
    job.items.kind === "chunks"
      ? ["--map-variables-file", job.items.file, "--chunk", "$SLURM_ARRAY_TASK_ID"]
      : job.items.mapVariable.length > 0
        ? ["--map-variable", JSON.stringify(Object.fromEntries(job.items.mapVariable))]
        : [];
  return [
    ...job.runnable,
    "execute-single-node",
    job.runId,
    job.internalName.replace(/ /g, "%"),
    "--file",
    job.pipelineFile,
    ...items,
    ...(job.configFile ? ["--config-file", job.configFile] : []),
    ...(job.parametersFile ? ["--parameters-file", job.parametersFile] : []),
    ...(job.tag ? ["--tag", job.tag] : []),
  ];
}

/** Quotes a command for the batch script; `$SLURM_ARRAY_TASK_ID` stays a variable the shell expands. */
function commandLine(words: readonly string[]): string {
  return words.map((word) => (word === "$SLURM_ARRAY_TASK_ID" ? `"$SLURM_ARRAY_TASK_ID"` : shellQuote(word))).join(" ");
}

/** A batch script: what it is, the init commands (any failure ends the job with its exit code), then `exec` of the command, so signals reach it. */
export function batchScript(shell: string, what: string, initCommands: readonly string[], command: readonly string[]): string {
  const init = initCommands.length > 0 ? ["set -e", ...initCommands, "set +e"] : [];
  return [`#!${shell}`, `# ${what.replace(/[\r\n]/g, " ")} (written by runnable's slurm executor)`, ...init, `exec ${commandLine(command)}`, ""].join("\n");
}

/** The batch script of a step's job. */
export function stepScript(job: StepJob): string {
  const what = `step ${job.internalName} of run ${job.runId}${job.items.kind === "chunks" ? `, ${job.items.count} array tasks` : ""}`;
  return batchScript(job.shell, what, job.settings.initCommands, stepCommand(job));
}

/** The sbatch arguments of a step's job, ending with its script. */
export function stepSbatchArgs(job: StepJob, script: string): string[] {
  const array = job.items.kind === "chunks" ? [`--array=0-${job.items.count - 1}${job.maxParallel ? `%${job.maxParallel}` : ""}`] : [];
  return [
    "--parsable",
    `--job-name=${job.jobName}`,
    `--chdir=${job.workdir}`,
    `--output=${job.output}`,
    `--error=${job.error}`,
    "--export=ALL",
    // Retries are the executor's (each attempt a job): Slurm never reruns a job behind its back.
    "--no-requeue",
    ...array,
    ...resourceArgs(job.settings),
    script,
  ];
}

/** The environment a job is submitted with (`--export=ALL` hands it to the job): the launching one (without an enclosing job's SLURM_* variables), plus the step's. */
export function jobEnvironment(
  launching: Readonly<Record<string, string | undefined>>,
  added: Readonly<Record<string, string>>,
  inJob: boolean,
): Record<string, string> {
  const env: Record<string, string> = {};
  // Inside a job (a detached run's driver) the job's own SLURM_* variables are not the next job's.
  const enclosingJob = launching["SLURM_JOB_ID"] !== undefined;
  for (const [name, value] of Object.entries(launching)) {
    if (value === undefined || name === IN_JOB_ENV || (enclosingJob && name.startsWith("SLURM_") && name !== "SLURM_CONF")) continue;
    env[name] = value;
  }
  return { ...env, ...added, ...(inJob ? { [IN_JOB_ENV]: "1" } : {}) };
}
