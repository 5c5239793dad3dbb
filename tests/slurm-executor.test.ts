// The slurm executor on the real single-node cluster of scripts/slurm-cluster.sh: every task step a
// batch job, maps as job arrays, retries as new jobs, Slurm's time limit, stops, a retry after a killed
// CLI and a detached run; each run log compared with the local executor's for the same pipeline.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mapLimit } from "../src/core/map-limit.js";
import { executorContract } from "../src/testing/contracts/executor.contract.js";
import { comparableRunLog, SCENARIOS } from "./helpers/argo-compare.js";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { startCli, until } from "./helpers/processes.js";
import { noSlurm, type SlurmCluster, showJob, slurm, slurmEnv } from "./helpers/slurm.js";

/** Locally a machine without the cluster skips these tests; under CI=true a missing cluster fails them. */
const skip = process.env["CI"] === "true" ? undefined : noSlurm;
const CONFIG = "examples/configs/slurm.yaml";

// Started (or found) before the suites are declared: the executor contract suite needs its SLURM_CONF.
const cluster: SlurmCluster = skip ? (undefined as unknown as SlurmCluster) : await slurmEnv();
const cleanups: (() => Promise<void>)[] = [];

/** A fresh project folder (examples/ linked in) with extra files. */
async function project(files: Record<string, string> = {}): Promise<string> {
  const { dir, cleanup } = await scratchDir();
  cleanups.push(cleanup);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const env = (): Record<string, string> => cluster.env;
const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** The jobs the executor submitted for a run (its run folder's jobs file). */
function ledger(dir: string, runId: string): Array<{ job: string; kind: string; step?: string; at: string }> {
  const file = join(dir, ".slurm", runId, "jobs.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Jobs of a run Slurm still runs or queues. */
async function liveJobs(runId: string): Promise<string[]> {
  const result = await slurm(cluster, "squeue", ["-h", `--name=runnable-${runId}`, "-o", "%i %T"]);
  return result.stdout.split("\n").filter(Boolean);
}

/** A scontrol field of a job (while slurmctld remembers it). */
async function jobField(id: string, field: string): Promise<string | undefined> {
  return (await showJob(cluster, id))[0]?.[field];
}

/** The same pipeline under the local executor in a folder of its own: its comparable run log. */
async function localRun(pipeline: string, files: Record<string, string> = {}, params: string[] = []): Promise<Record<string, unknown>> {
  const dir = await project(files);
  const runId = newId("local");
  await runCli(["execute", "-f", pipeline, ...params, "--run-id", runId, "-q"], { cwd: dir });
  return comparableRunLog(await readRunLog(dir, runId));
}

const NAP = `dag:
  start_at: nap
  steps:
    nap: {type: task, command_type: shell, command: 'echo started; sleep 120', next: success}
`;

describe.skipIf(skip)(`slurm executor on a real cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  afterAll(() => Promise.all(cleanups.map((cleanup) => cleanup())));

  describe.concurrent("runs that take a while, side by side", () => {
    it("records Slurm's time-limit kill on the step's attempt (max_step_duration_in_seconds → --time in minutes)", async () => {
      const dir = await project({
        "limit.yaml": "executor:\n  type: slurm\n  config:\n    max_step_duration_in_seconds: 30\n",
        "p.yaml": NAP.replace("sleep 120", "sleep 300"),
      });
      const started = Date.now();
      const result = await runCli(["execute", "-f", "p.yaml", "-c", "limit.yaml", "--run-id", "limit-1"], { cwd: dir, env: env() });
      expect(result.code, result.stderr).toBe(1);
      expect(Date.now() - started).toBeGreaterThan(55_000);
      expect(result.stderr).toContain("max_step_duration_in_seconds 30 (steps nap) becomes --time=1 (1 minute)");
      const log = await readRunLog(dir, "limit-1");
      const attempts = log.steps.nap.attempts;
      expect(attempts).toHaveLength(1);
      expect(attempts[0].message).toMatch(/^Slurm job \d+ TIMEOUT: killed at its time limit of 1 minute \(--time=1\)$/);
      expect(log.steps.fail.status).toBe("SUCCESS");
      expect(result.stdout).toContain("started");
    }, 240_000);

    it("runs the same pipelines as the local executor and records the same run logs", async () => {
      const outcomes = await mapLimit(SCENARIOS, 4, async ({ pipeline, parametersFile, status }) => {
        const params = parametersFile ? ["-p", parametersFile] : [];
        const dir = await project();
        const runId = newId("slurm");
        const [result, local] = await Promise.all([
          runCli(["execute", "-f", pipeline, "-c", CONFIG, ...params, "--run-id", runId, "-q"], { cwd: dir, env: env() }),
          localRun(pipeline, {}, params),
        ]);
        return { pipeline, status, result, local, slurm: comparableRunLog(await readRunLog(dir, runId)) };
      });
      for (const outcome of outcomes) {
        expect(outcome.result.code, `${outcome.pipeline}: ${outcome.result.stderr}`).toBe(outcome.status === "SUCCESS" ? 0 : 1);
        expect(outcome.slurm, outcome.pipeline).toEqual(outcome.local);
      }
    }, 900_000);
  });

  it("runs a map's items as one job array: items_per_array_task items per task, max_parallel as the array's %", async () => {
    const pipeline = `dag:
  start_at: list
  steps:
    list: {type: task, command_type: shell, command: "export RUNNABLE_PRM_items='[1, 2, 3, 4, 5, 6, 7]'", next: each}
    each:
      type: map
      iterate_on: items
      iterate_as: item
      next: success
      branch:
        start_at: square
        steps:
          square: {type: task, command_type: shell, command: 'echo "item $RUNNABLE_PRM_item"; export RUNNABLE_PRM_sq=$((RUNNABLE_PRM_item * RUNNABLE_PRM_item))', next: success}
`;
    const files = { "map.yaml": pipeline, "arrays.yaml": "executor:\n  type: slurm\n  config:\n    items_per_array_task: 3\n    max_parallel: 2\n" };
    const dir = await project(files);
    const result = await runCli(["execute", "-f", "map.yaml", "-c", "arrays.yaml", "--run-id", "map-1"], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const jobs = ledger(dir, "map-1");
    expect(jobs.map((job) => job.step)).toEqual(["list", "each.map_variable_placeholder.square"]);
    const array = jobs[1]!.job;
    const tasks = await showJob(cluster, array);
    expect(tasks.map((task) => task["ArrayTaskId"]).sort()).toEqual(["0", "1", "2"]);
    expect(tasks.every((task) => task["ArrayJobId"] === array && task["JobState"] === "COMPLETED")).toBe(true);
    expect(tasks.find((task) => task["ArrayTaskThrottle"])?.["ArrayTaskThrottle"]).toBe("2");
    const log = await readRunLog(dir, "map-1");
    expect(log.parameters.sq).toEqual([1, 4, 9, 16, 25, 36, 49]);
    expect(comparableRunLog(log)).toEqual(await localRun("map.yaml", files));
    // The array tasks' output reached the terminal as the items' output.
    for (const item of [1, 4, 7]) expect(result.stdout).toContain(`item ${item}`);
  }, 240_000);

  it("submits parallel branches at once, and a failing step's retries as jobs of their own", async () => {
    const pipeline = `dag:
  start_at: both
  steps:
    both:
      type: parallel
      next: flaky
      branches:
        left: {start_at: l, steps: {l: {type: task, command_type: shell, command: 'touch left.started; for i in $(seq 300); do [ -e right.started ] && exit 0; sleep 0.1; done; exit 1', next: success}}}
        right: {start_at: r, steps: {r: {type: task, command_type: shell, command: 'touch right.started; for i in $(seq 300); do [ -e left.started ] && exit 0; sleep 0.1; done; exit 1', next: success}}}
    flaky:
      type: task
      command_type: shell
      command: 'n=$(cat tries 2>/dev/null || echo 0); echo $((n + 1)) > tries; [ "$n" -ge 2 ] || exit 4; export RUNNABLE_PRM_done=yes'
      max_attempts: 3
      next: success
`;
    const dir = await project({ "p.yaml": pipeline });
    const result = await runCli(["execute", "-f", "p.yaml", "-c", CONFIG, "--run-id", "par-1"], { cwd: dir, env: env() });
    // The branches succeed only if both ran at the same time.
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const jobs = ledger(dir, "par-1");
    expect(jobs.filter((job) => job.step === "flaky")).toHaveLength(3);
    const log = await readRunLog(dir, "par-1");
    expect(log.steps.flaky.attempts.map((a: any) => [a.attempt_number, a.status])).toEqual([
      [1, "FAIL"],
      [2, "FAIL"],
      [3, "SUCCESS"],
    ]);
    const parallel = "executor:\n  type: local\n  config:\n    enable_parallel: true\n";
    expect(comparableRunLog(log)).toEqual(await localRun("p.yaml", { "p.yaml": pipeline, "parallel.yaml": parallel }, ["-c", "parallel.yaml"]));
  }, 240_000);

  it("cancels the run's jobs on Ctrl-C and records the step interrupted", async () => {
    const dir = await project({ "nap.yaml": NAP });
    const cli = startCli(["execute", "-f", "nap.yaml", "-c", CONFIG, "--run-id", "stop-1"], { cwd: dir, env: env() });
    await until(() => cli.output().includes("started"), 60_000, "the step's output");
    expect(await liveJobs("stop-1")).toHaveLength(1);
    cli.signal("SIGINT");
    const exit = await cli.exited;
    expect(exit.code).toBe(130);
    expect(await liveJobs("stop-1")).toEqual([]);
    const log = await readRunLog(dir, "stop-1");
    expect(log.status).toBe("FAIL");
    expect(log.steps.nap.status).toBe("FAIL");
    expect(log.steps.nap.attempts.at(-1).message).toMatch(/^interrupted by SIG(INT|TERM): the run was stopped while this step was running/);
  }, 120_000);

  it("records a job cancelled from outside the run with Slurm's word for it", async () => {
    const dir = await project({ "nap.yaml": NAP });
    const cli = startCli(["execute", "-f", "nap.yaml", "-c", CONFIG, "--run-id", "scancel-1"], { cwd: dir, env: env() });
    await until(() => cli.output().includes("started"), 60_000, "the step's output");
    const [job] = ledger(dir, "scancel-1");
    await slurm(cluster, "scancel", [job!.job]);
    const exit = await cli.exited;
    expect(exit.code).toBe(1);
    const log = await readRunLog(dir, "scancel-1");
    expect(log.steps.nap.attempts.map((a: any) => a.message)).toEqual([
      `Slurm job ${job!.job} CANCELLED: cancelled outside this run (scancel, or an administrator)`,
    ]);
  }, 120_000);

  it("retries a run whose CLI was killed: its leftover job is cancelled, only unfinished steps run again", async () => {
    const pipeline = `dag:
  start_at: first
  steps:
    first: {type: task, command_type: shell, command: 'export RUNNABLE_PRM_x=1', next: second}
    second: {type: task, command_type: shell, command: 'test -e resumed || { touch resumed; echo sleeping; sleep 120; }; export RUNNABLE_PRM_y=2', next: third}
    third: {type: task, command_type: shell, command: 'export RUNNABLE_PRM_z=$((RUNNABLE_PRM_x + RUNNABLE_PRM_y))', next: success}
`;
    const dir = await project({ "p.yaml": pipeline });
    const cli = startCli(["execute", "-f", "p.yaml", "-c", CONFIG, "--run-id", "killed-1"], { cwd: dir, env: env() });
    await until(() => cli.output().includes("sleeping"), 90_000, "the second step running");
    cli.signal("SIGKILL");
    await cli.exited;
    expect(await liveJobs("killed-1")).toHaveLength(1);
    const retry = await runCli(["retry", "killed-1"], { cwd: dir, env: env() });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stderr).toMatch(/cancelling 1 job\(s\) an earlier process of this run left behind/);
    const log = await readRunLog(dir, "killed-1");
    expect(log.status).toBe("SUCCESS");
    expect(log.parameters).toEqual({ x: 1, y: 2, z: 3 });
    expect(log.steps.first.attempts).toHaveLength(1);
    expect(log.steps.second.attempts.map((a: any) => a.status)).toEqual(["FAIL", "SUCCESS"]);
    expect(log.steps.second.attempts[0].message).toMatch(/^interrupted by SIGTERM/);
    expect(ledger(dir, "killed-1").map((job) => job.step)).toEqual(["first", "second", "second", "third"]);
  }, 240_000);

  it("retries only a map's failed items, as a job of their own", async () => {
    const pipeline = `dag:
  start_at: list
  steps:
    list: {type: task, command_type: shell, command: "export RUNNABLE_PRM_items='[1, 2, 3, 4]'", next: each}
    each:
      type: map
      iterate_on: items
      iterate_as: item
      next: success
      branch:
        start_at: work
        steps:
          work: {type: task, command_type: shell, command: 'echo "$RUNNABLE_PRM_item" >> ran; [ "$RUNNABLE_PRM_item" != 3 ] || test -e fixed', next: success}
`;
    const dir = await project({ "p.yaml": pipeline, "c.yaml": "executor:\n  type: slurm\n  config:\n    items_per_array_task: 2\n" });
    const first = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", "items-1"], { cwd: dir, env: env() });
    expect(first.code).toBe(1);
    await writeFile(join(dir, "fixed"), "");
    const retry = await runCli(["retry", "items-1"], { cwd: dir, env: env() });
    expect(retry.code, retry.stderr).toBe(0);
    expect(readFileSync(join(dir, "ran"), "utf8").split("\n").filter(Boolean).sort()).toEqual(["1", "2", "3", "3", "4"]);
    expect(ledger(dir, "items-1").map((job) => job.step)).toEqual(["list", "each.map_variable_placeholder.work", "each.map_variable_placeholder.work"]);
    const log = await readRunLog(dir, "items-1");
    expect(log.steps.each.branches["each.3"].steps["each.3.work"].attempts.map((a: any) => a.status)).toEqual(["FAIL", "SUCCESS"]);
    expect(log.steps.each.branches["each.1"].steps["each.1.work"].attempts).toHaveLength(1);
  }, 180_000);

  it("detaches: a driver job walks the run, which runs show follows to the same run log as a local run", async () => {
    const dir = await project();
    const started = Date.now();
    const result = await runCli(["execute", "-f", "examples/contract/composites.yaml", "-c", CONFIG, "--run-id", "detached-1", "--detach"], {
      cwd: dir,
      env: env(),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^run detached-1 detached: Slurm job \d+ walks it on the cluster/);
    expect(result.stdout).toContain("follow it with: runnable runs show detached-1");
    const first = await runCli(["runs", "show", "detached-1", "--json"], { cwd: dir, env: env() });
    expect(["TRIGGERED", "PROCESSING"]).toContain(JSON.parse(first.stdout).status);
    expect(Date.now() - started).toBeLessThan(30_000);
    await until(
      async () => {
        const shown = await runCli(["runs", "show", "detached-1", "--json"], { cwd: dir, env: env() });
        return JSON.parse(shown.stdout).status === "SUCCESS";
      },
      180_000,
      "the detached run to succeed",
    );
    const jobs = ledger(dir, "detached-1");
    expect(jobs[0]!.kind).toBe("driver");
    expect(jobs.length).toBeGreaterThan(1);
    const log = await readRunLog(dir, "detached-1");
    expect(comparableRunLog(log)).toEqual(await localRun("examples/contract/composites.yaml"));
    const shown = await runCli(["runs", "show", "detached-1"], { cwd: dir, env: env() });
    expect(shown.stdout).toContain("SUCCESS");
  }, 240_000);

  it("passes per-step resources, the environment, init commands and secrets (masked) to the jobs", async () => {
    const config = `executor:
  type: slurm
  config:
    environment: {GREETING: hello}
    init_commands: ['export FROM_INIT=yes']
    overrides:
      two: {cpus_per_task: 2, environment: {GREETING: bonjour}}
secrets:
  type: env-secrets-manager
`;
    const pipeline = `dag:
  start_at: one
  steps:
    one: {type: task, command_type: shell, command: 'export RUNNABLE_PRM_a="$GREETING $FROM_INIT"; echo "token $API_TOKEN"', secrets: [API_TOKEN], next: two}
    two: {type: task, command_type: shell, command: 'export RUNNABLE_PRM_b="$GREETING $SLURM_CPUS_PER_TASK"', overrides: {slurm: two}, next: success}
`;
    const dir = await project({ "c.yaml": config, "p.yaml": pipeline });
    const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", "env-1"], { cwd: dir, env: { ...env(), API_TOKEN: "s3cr3t-value" } });
    expect(result.code, result.stderr).toBe(0);
    const log = await readRunLog(dir, "env-1");
    expect(log.parameters).toEqual({ a: "hello yes", b: "bonjour 2" });
    expect(result.stdout).toContain("token ***");
    expect(result.stdout).not.toContain("s3cr3t-value");
    const entry = log.steps.one.data_catalog.find((record: any) => record.name.endsWith(".execution.log"));
    const text = await readFile(join(dir, entry.catalog_handler_location, entry.catalog_relative_path), "utf8");
    expect(text).toContain("token ***");
    const jobs = ledger(dir, "env-1");
    expect(await jobField(jobs[1]!.job, "NumCPUs")).toBe("2");
  }, 180_000);

  it("records a job that ended before its step could record itself, with the end of its error output", async () => {
    const config = "executor:\n  type: slurm\n  config:\n    init_commands: ['echo \"module: nodejs/99 not found\" >&2', 'exit 3']\n";
    const dir = await project({ "c.yaml": config });
    const result = await runCli(["execute", "-f", "examples/contract/true-chain.yaml", "-c", "c.yaml", "--run-id", "lost-1"], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    const log = await readRunLog(dir, "lost-1");
    expect(log.steps.s1.attempts.map((a: any) => a.message)).toEqual([
      expect.stringMatching(/^Slurm job \d+ ended FAILED \(exit code 3\) before the step recorded its result: module: nodejs\/99 not found$/),
    ]);
  }, 60_000);

  it("refuses, before anything runs, a request Slurm would refuse and a store the jobs cannot share", async () => {
    const dir = await project({
      "bad.yaml": "executor:\n  type: slurm\n  config:\n    partition: nowhere\n",
      "mem.yaml": "executor:\n  type: slurm\n  config: {}\nrun_log_store:\n  type: buffered\n",
    });
    const bad = await runCli(["execute", "-f", "examples/contract/true-chain.yaml", "-c", "bad.yaml", "--run-id", "bad-1"], { cwd: dir, env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("executor slurm: Slurm would refuse the jobs of steps");
    expect(bad.stderr).toContain("--partition=nowhere");
    expect(bad.stderr).toContain("invalid partition specified: nowhere");
    expect(existsSync(join(dir, ".run_log_store", "bad-1.json"))).toBe(false);
    const memory = await runCli(["execute", "-f", "examples/contrived.yaml", "-c", "mem.yaml"], { cwd: dir, env: env() });
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain("run_log_store buffered cannot be used with executor slurm");
  }, 60_000);
});

describe("--detach and several map items per step process, without a cluster", () => {
  it("refuses --detach with an executor that cannot detach, before anything is written", async () => {
    const dir = await project();
    const result = await runCli(["execute", "-f", "examples/contract/true-chain.yaml", "--run-id", "no-detach", "--detach"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("executor local cannot detach: its runs are walked by the process that starts them");
    expect(existsSync(join(dir, ".run_log_store", "no-detach.json"))).toBe(false);
  });

  it("says what is wrong with a --map-variables-file", async () => {
    const dir = await project({ "items.json": '[[{"item": 1}]]' });
    const step = ["execute-single-node", "r", "each.square", "-f", "examples/contract/composites.yaml"];
    const missing = await runCli([...step, "--map-variables-file", "nope.json"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--map-variables-file nope.json cannot be read");
    const chunk = await runCli([...step, "--map-variables-file", "items.json", "--chunk", "4"], { cwd: dir });
    expect(chunk.stderr).toContain("--map-variables-file items.json has no chunk 4 of map-variable objects");
    expect(chunk.stderr).toContain("the file holds 1 chunk(s), numbered from 0");
    const both = await runCli([...step, "--map-variables-file", "items.json", "--map-variable", '{"item": 1}'], { cwd: dir });
    expect(both.stderr).toContain("--map-variable and --map-variables-file cannot be combined");
  });
});

if (!skip) executorContract("slurm", { configFile: CONFIG, env: { SLURM_CONF: cluster.conf } });
