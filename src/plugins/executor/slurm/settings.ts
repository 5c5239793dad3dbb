import { effectiveExecutorConfig } from "../../../core/overrides.js";
import type { SlurmConfig } from "./schema.js";

/** The executor type name a step's `overrides` mapping uses to select a slurm bundle. */
export const SLURM_TYPE = "slurm";

/** What one step's batch job asks for: the config with the step's bundle shallow-merged over it (runnable's rule). */
export interface JobSettings {
  partition?: string;
  account?: string;
  qos?: string;
  maxStepDurationSeconds?: number;
  cpusPerTask?: number;
  mem?: string;
  gpus?: string;
  gres?: string;
  constraint?: string;
  sbatchArgs: readonly string[];
  environment: Readonly<Record<string, string>>;
  initCommands: readonly string[];
}

/** The settings of a step (its `overrides: {slurm: key}` bundle over the config); a missing bundle is a CONFIG_INVALID error naming the known ones. */
export function jobSettingsFor(step: { name: string; overrides: Readonly<Record<string, string>> }, config: SlurmConfig): JobSettings {
  const { overrides, ...base } = config;
  const merged = effectiveExecutorConfig<Omit<SlurmConfig, "overrides">>(base, overrides, SLURM_TYPE, step);
  const settings: JobSettings = { sbatchArgs: merged.sbatch_args ?? [], environment: merged.environment ?? {}, initCommands: merged.init_commands ?? [] };
  if (merged.partition !== undefined) settings.partition = merged.partition;
  if (merged.account !== undefined) settings.account = merged.account;
  if (merged.qos !== undefined) settings.qos = merged.qos;
  if (merged.max_step_duration_in_seconds !== undefined) settings.maxStepDurationSeconds = merged.max_step_duration_in_seconds;
  if (merged.cpus_per_task !== undefined) settings.cpusPerTask = merged.cpus_per_task;
  if (merged.mem !== undefined) settings.mem = merged.mem;
  if (merged.gpus !== undefined) settings.gpus = merged.gpus;
  if (merged.gres !== undefined) settings.gres = merged.gres;
  if (merged.constraint !== undefined) settings.constraint = merged.constraint;
  return settings;
}

/** Slurm's `--time` in whole minutes for a limit in seconds (rounded up: Slurm counts minutes). */
export function timeLimitMinutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/** What rounding a time limit up to minutes does, said once before a run; undefined when it is whole minutes. */
export function timeLimitNote(seconds: number, where: string): string | undefined {
  if (seconds % 60 === 0) return undefined;
  const minutes = timeLimitMinutes(seconds);
  return `executor slurm: max_step_duration_in_seconds ${seconds} (${where}) becomes --time=${minutes} (${minutes === 1 ? "1 minute" : `${minutes} minutes`}): Slurm counts whole minutes and checks limits about every 30 s, so a step may run up to a minute longer`;
}

/** The sbatch options of a job's resources and placement (`--partition=…`, `--time=…`, then the extra ones). */
export function resourceArgs(settings: JobSettings): string[] {
  const args: string[] = [];
  const add = (flag: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(`--${flag}=${value}`);
  };
  add("partition", settings.partition);
  add("account", settings.account);
  add("qos", settings.qos);
  add("time", settings.maxStepDurationSeconds === undefined ? undefined : timeLimitMinutes(settings.maxStepDurationSeconds));
  add("cpus-per-task", settings.cpusPerTask);
  add("mem", settings.mem);
  add("gpus", settings.gpus);
  add("gres", settings.gres);
  add("constraint", settings.constraint);
  return [...args, ...settings.sbatchArgs];
}

/** A text that is equal for two steps exactly when their jobs ask for the same (steps of one map item batch into one array only then). */
export function settingsKey(settings: JobSettings): string {
  return JSON.stringify([resourceArgs(settings), settings.environment, settings.initCommands]);
}
