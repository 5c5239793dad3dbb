import { z } from "zod";

/**
 * sbatch options the executor writes itself (job name, output files, arrays, working directory,
 * environment, batch-script forms), with the config key to use instead where there is one.
 */
export const OWNED_SBATCH_OPTIONS: Readonly<Record<string, string | null>> = {
  array: null,
  output: null,
  error: null,
  input: null,
  "job-name": null,
  parsable: null,
  wait: null,
  wrap: null,
  chdir: "working_directory",
  export: "environment",
  "export-file": "environment",
  partition: "partition",
  account: "account",
  qos: "qos",
  time: "max_step_duration_in_seconds",
  "cpus-per-task": "cpus_per_task",
  mem: "mem",
  gpus: "gpus",
  gres: "gres",
  constraint: "constraint",
  "test-only": null,
  hold: null,
  "no-requeue": null,
};

/** Checks one extra sbatch argument: a long option (`--name` or `--name=value`) the executor does not write itself. */
function sbatchArgProblem(arg: string): string | undefined {
  const match = /^--([a-z][a-z0-9-]*)(=[^\n\r]*)?$/.exec(arg);
  if (!match) return `"${arg}" is not an sbatch long option: give each as --name or --name=value (one list entry each, no line breaks)`;
  const name = match[1]!;
  if (!Object.hasOwn(OWNED_SBATCH_OPTIONS, name)) return undefined;
  const key = OWNED_SBATCH_OPTIONS[name];
  return key ? `--${name} is set by the executor: use the ${key} key instead` : `--${name} is set by the executor for every job and cannot be given`;
}

/** The schemas of what a job asks Slurm for; every key also fits an override bundle. */
function jobFieldSchemas() {
  /** Environment values: strings, with numbers and booleans written as their text. */
  const environment = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).superRefine((values, ctx) => {
    for (const key of Object.keys(values)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is not an environment variable name` });
    }
  });
  const sbatchArg = z.string().superRefine((arg, ctx) => {
    const problem = sbatchArgProblem(arg);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
  const name = z.string().regex(/^[A-Za-z0-9_.,:+-]+$/, "a Slurm name (letters, digits, _ . , : + -)");
  const fields = {
    partition: name.optional(),
    account: name.optional(),
    qos: name.optional(),
    /** Becomes `--time` in whole minutes (rounded up: Slurm counts minutes). */
    max_step_duration_in_seconds: z.number().int().positive().optional(),
    cpus_per_task: z.number().int().positive().optional(),
    /** `--mem`: a number of megabytes or a size with a unit (`4G`, `500M`). */
    mem: z.union([z.number().int().positive().transform(String), z.string().regex(/^\d+[KMGT]?$/i, "a size such as 4G, 500M or 2048")]).optional(),
    /** `--gpus`: a count, or `type:count`. */
    gpus: z.union([z.number().int().positive().transform(String), z.string().regex(/^([A-Za-z0-9_-]+:)?\d+$/, "a count, or type:count")]).optional(),
    /** `--gres`, e.g. `gpu:a100:2`. */
    gres: z
      .string()
      .regex(/^[A-Za-z0-9_:,.=-]+$/, "a gres list such as gpu:2")
      .optional(),
    constraint: z
      .string()
      .regex(/^[^\n\r]+$/)
      .optional(),
    /** More sbatch options, each `--name` or `--name=value`. */
    sbatch_args: z.array(sbatchArg).optional(),
    /** Variables of the step's process (replaces the whole mapping in a bundle). */
    environment: environment.optional(),
    /** Shell lines run before `runnable` starts on the compute node (`module load nodejs/20`, `source venv/bin/activate`). */
    init_commands: z.array(z.string().regex(/^[^\n\r]*$/, "one shell line")).optional(),
  };
  return { fields, name, sbatchArg };
}

/**
 * Builds the config schema of the `slurm` executor: where and how each task step's batch job is
 * submitted (the resources also per step, through `overrides` bundles), how the run folder, polling and
 * the `runnable` command on the compute nodes are set up. Built when a config names the executor.
 */
export function buildSlurmConfigSchema() {
  const { fields: jobFields, name, sbatchArg } = jobFieldSchemas();
  /** A step's `overrides: {slurm: <key>}` bundle (unknown keys are errors). */
  const overrideSchema = z.strictObject(jobFields);
  /** The driver job of a detached run (it only walks the graph: small, long). */
  const driverSchema = z.strictObject({
    partition: name.optional(),
    qos: name.optional(),
    time_in_seconds: z.number().int().positive().optional(),
    mem: jobFields.mem,
    sbatch_args: z.array(sbatchArg).optional(),
  });
  return z.strictObject({
    ...jobFields,
    /** Where jobs run (`--chdir`); default: the working directory of `runnable execute`, which must be on a shared file system. */
    working_directory: z.string().min(1).optional(),
    /** Each job is named `<prefix><run id>` (what `squeue --name` finds). */
    job_name_prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:+-]*$/, "letters, digits, _ . : + -")
      .default("runnable-"),
    /** The run folder's parent: `<job_folder>/<run id>/` holds each job's script and output files (on the shared file system). */
    job_folder: z.string().min(1).default(".slurm"),
    /** Longest pause between two looks at the run's jobs (one `squeue` for all of them); looks start 50 ms apart and back off to this. */
    poll_interval_seconds: z.number().positive().max(600).default(0.2),
    /** How the compute node starts `runnable` (default: this package's bin/runnable, which starts Node from the start-up snapshot when it fits the node there). */
    runnable_command: z.array(z.string().min(1)).min(1).optional(),
    /** The batch scripts' interpreter (`#!` line): `/bin/bash -l` where `module` or `conda` need a login shell. */
    shell: z
      .string()
      .regex(/^\/[^\s]+( -[A-Za-z-]+)*$/, "an absolute path of a shell, with options (e.g. /bin/bash -l)")
      .default("/bin/sh"),
    /** Array tasks of one map step running at once (`--array=…%N`). */
    max_parallel: z.number().int().positive().optional(),
    /** Map items one array task runs one after another (fewer, longer jobs: a process start per task, not per item). */
    items_per_array_task: z.number().int().positive().default(1),
    /** Most tasks in one job array (clusters limit arrays: MaxArraySize, often 1001); a map with more becomes several arrays. */
    max_array_tasks: z.number().int().positive().default(1000),
    driver: driverSchema.default({}),
    overrides: z
      .record(z.string(), overrideSchema)
      .nullish()
      .transform((value) => value ?? {}),
  });
}

/** The validated `slurm` executor config. */
export type SlurmConfig = z.output<ReturnType<typeof buildSlurmConfigSchema>>;
/** One override bundle. */
export type SlurmOverride = SlurmConfig["overrides"][string];
