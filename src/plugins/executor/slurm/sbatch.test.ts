import { describe, expect, it } from "vitest";
import { isRunnableError } from "../../../core/errors.js";
import { batchScript, jobEnvironment, shellQuote, type StepJob, stepCommand, stepSbatchArgs, stepScript } from "./sbatch.js";
import { buildSlurmConfigSchema } from "./schema.js";
import { jobSettingsFor, resourceArgs, settingsKey, timeLimitMinutes, timeLimitNote } from "./settings.js";

const parse = (config: unknown) => buildSlurmConfigSchema().parse(config);
const issues = (config: unknown): string[] => {
  const result = buildSlurmConfigSchema().safeParse(config);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

const job = (overrides: Partial<StepJob> = {}): StepJob => ({
  runId: "run-1",
  internalName: "prepare data",
  items: { kind: "one", mapVariable: [] },
  pipelineFile: "pipeline.yaml",
  configFile: "slurm.yaml",
  parametersFile: null,
  tag: "",
  runnable: ["/usr/bin/node", "/opt/runnable/bin/runnable.js"],
  settings: jobSettingsFor({ name: "x", overrides: {} }, parse({})),
  jobName: "runnable-run-1",
  workdir: "/home/me/project",
  output: "/home/me/project/.slurm/run-1/prepare.out",
  error: "/home/me/project/.slurm/run-1/prepare.err",
  shell: "/bin/sh",
  ...overrides,
});

describe("slurm config", () => {
  it("has defaults for everything and refuses unknown keys", () => {
    const config = parse({});
    expect(config).toMatchObject({ job_name_prefix: "runnable-", job_folder: ".slurm", poll_interval_seconds: 0.2, items_per_array_task: 1, overrides: {} });
    expect(issues({ partitions: "x" })[0]).toMatch(/Unrecognized key/);
  });

  it("validates extra sbatch options: long options only, none the executor writes or has a key for", () => {
    expect(issues({ sbatch_args: ["--exclusive", "--mail-type=END", "--nice=10"] })).toEqual([]);
    expect(issues({ sbatch_args: ["-N 2"] })[0]).toBe(
      '"-N 2" is not an sbatch long option: give each as --name or --name=value (one list entry each, no line breaks)',
    );
    expect(issues({ sbatch_args: ["--partition=gpu"] })[0]).toBe("--partition is set by the executor: use the partition key instead");
    expect(issues({ sbatch_args: ["--time=10"] })[0]).toBe("--time is set by the executor: use the max_step_duration_in_seconds key instead");
    expect(issues({ sbatch_args: ["--array=0-3"] })[0]).toBe("--array is set by the executor for every job and cannot be given");
    expect(issues({ sbatch_args: ["--comment=a\nb"] })[0]).toMatch(/not an sbatch long option/);
    expect(issues({ overrides: { big: { sbatch_args: ["--output=x"] } } })[0]).toMatch(/--output is set by the executor/);
  });

  it("checks the shape of sizes, counts and names", () => {
    expect(parse({ mem: 2048 }).mem).toBe("2048");
    expect(parse({ mem: "4G", gpus: "a100:2" })).toMatchObject({ mem: "4G", gpus: "a100:2" });
    expect(issues({ mem: "four gigs" })[0]).toBe("a size such as 4G, 500M or 2048");
    expect(issues({ partition: "a b" })[0]).toMatch(/a Slurm name/);
    expect(issues({ environment: { "BAD-NAME": "x" } })[0]).toBe('"BAD-NAME" is not an environment variable name');
    expect(issues({ init_commands: ["module load a\nrm -rf /"] })[0]).toBe("one shell line");
  });
});

describe("a step's job settings", () => {
  const config = parse({
    partition: "short",
    account: "proj",
    max_step_duration_in_seconds: 90,
    environment: { A: "1" },
    overrides: { big: { partition: "long", cpus_per_task: 8, mem: "32G", gres: "gpu:2", environment: { B: 2 } } },
  });

  it("merges the step's bundle over the config (a bundle's environment replaces the mapping)", () => {
    expect(resourceArgs(jobSettingsFor({ name: "a", overrides: {} }, config))).toEqual(["--partition=short", "--account=proj", "--time=2"]);
    const big = jobSettingsFor({ name: "b", overrides: { slurm: "big" } }, config);
    expect(resourceArgs(big)).toEqual(["--partition=long", "--account=proj", "--time=2", "--cpus-per-task=8", "--mem=32G", "--gres=gpu:2"]);
    expect(big.environment).toEqual({ B: "2" });
    expect(settingsKey(big)).not.toBe(settingsKey(jobSettingsFor({ name: "a", overrides: {} }, config)));
    // Another executor's bundle is not this one's.
    expect(resourceArgs(jobSettingsFor({ name: "c", overrides: { argo: "big" } }, config))).toEqual(["--partition=short", "--account=proj", "--time=2"]);
  });

  it("refuses a bundle that does not exist, naming the known ones", () => {
    let error: unknown;
    try {
      jobSettingsFor({ name: "c", overrides: { slurm: "huge" } }, config);
    } catch (caught) {
      error = caught;
    }
    expect(isRunnableError(error, "CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toBe('No override of key: huge found in the overrides section (step "c", executor slurm)');
    expect((error as { hint: string }).hint).toBe("the executor's overrides are: big");
  });

  it("rounds time limits up to whole minutes, with a note when that changes them", () => {
    expect([1, 59, 60, 61, 3600].map(timeLimitMinutes)).toEqual([1, 1, 1, 2, 60]);
    expect(timeLimitNote(120, "steps a")).toBeUndefined();
    expect(timeLimitNote(30, "steps a")).toBe(
      "executor slurm: max_step_duration_in_seconds 30 (steps a) becomes --time=1 (1 minute): Slurm counts whole minutes and checks limits about every 30 s, so a step may run up to a minute longer",
    );
  });
});

describe("a step's batch job", () => {
  it("quotes for the shell only what needs it", () => {
    expect(shellQuote("examples/a.yaml")).toBe("examples/a.yaml");
    expect(shellQuote("it's a b")).toBe(`'it'\\''s a b'`);
    expect(shellQuote('{"x":1}')).toBe(`'{"x":1}'`);
  });

  it("runs execute-single-node with runnable's argument shapes (% for spaces, the map variable as JSON)", () => {
    expect(stepCommand(job())).toEqual([
      "/usr/bin/node",
      "/opt/runnable/bin/runnable.js",
      "execute-single-node",
      "run-1",
      "prepare%data",
      "--file",
      "pipeline.yaml",
      "--config-file",
      "slurm.yaml",
    ]);
    const item = stepCommand(job({ items: { kind: "one", mapVariable: [["chunk", 3]] }, tag: "t", parametersFile: "p.yaml" }));
    expect(item.slice(7)).toEqual(["--map-variable", '{"chunk":3}', "--config-file", "slurm.yaml", "--parameters-file", "p.yaml", "--tag", "t"]);
  });

  it("writes a script that runs the init commands (stopping at a failure) and then execs runnable", () => {
    const settings = { ...job().settings, initCommands: ["module load nodejs/20", "source venv/bin/activate"] };
    expect(stepScript(job({ settings, items: { kind: "chunks", file: "/p/.slurm/run-1/s.items.json", count: 4 } }))).toBe(
      [
        "#!/bin/sh",
        "# step prepare data of run run-1, 4 array tasks (written by runnable's slurm executor)",
        "set -e",
        "module load nodejs/20",
        "source venv/bin/activate",
        "set +e",
        'exec /usr/bin/node /opt/runnable/bin/runnable.js execute-single-node run-1 prepare%data --file pipeline.yaml --map-variables-file /p/.slurm/run-1/s.items.json --chunk "$SLURM_ARRAY_TASK_ID" --config-file slurm.yaml',
        "",
      ].join("\n"),
    );
    expect(batchScript("/bin/bash -l", "x\ny", [], ["true"])).toBe("#!/bin/bash -l\n# x y (written by runnable's slurm executor)\nexec true\n");
  });

  it("submits with its name, folder, output files, the environment, the array and the resources", () => {
    const settings = jobSettingsFor({ name: "x", overrides: {} }, parse({ partition: "short", sbatch_args: ["--exclusive"] }));
    const args = stepSbatchArgs(job({ settings, items: { kind: "chunks", file: "f", count: 5 }, maxParallel: 2 }), "/p/s.sh");
    expect(args).toEqual([
      "--parsable",
      "--job-name=runnable-run-1",
      "--chdir=/home/me/project",
      "--output=/home/me/project/.slurm/run-1/prepare.out",
      "--error=/home/me/project/.slurm/run-1/prepare.err",
      "--export=ALL",
      "--no-requeue",
      "--array=0-4%2",
      "--partition=short",
      "--exclusive",
      "/p/s.sh",
    ]);
  });

  it("hands the job this machine's environment, without an enclosing job's SLURM_* variables", () => {
    const launching = { PATH: "/bin", SLURM_CONF: "/etc/slurm.conf", SBATCH_ACCOUNT: "me", RUNNABLE_VAR_x: "1", UNSET: undefined };
    expect(jobEnvironment(launching, { A: "1" }, true)).toEqual({ ...launching, UNSET: undefined, A: "1", RUNNABLE_SLURM_STEP: "1" });
    const inDriver = { ...launching, SLURM_JOB_ID: "7", SLURM_MEM_PER_CPU: "100", RUNNABLE_SLURM_STEP: "1" };
    const env = jobEnvironment(inDriver, {}, false);
    expect(env).toEqual({ PATH: "/bin", SLURM_CONF: "/etc/slurm.conf", SBATCH_ACCOUNT: "me", RUNNABLE_VAR_x: "1" });
  });
});
