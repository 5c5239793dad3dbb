// The single-node Slurm cluster of scripts/slurm-cluster.sh does what the Slurm executor needs: real
// sbatch jobs, arrays with a throttle, dependencies, time limits, scancel, exit codes, output files,
// environment and working directory, resource checks, and final states readable without sacct.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { until } from "./helpers/processes.js";
import { jobcompRecords, noSlurm, run, SLURM_SCRIPT, type SlurmCluster, sbatch, showJob, slurm, slurmEnv, waitForJob } from "./helpers/slurm.js";

let cluster: SlurmCluster;
let work: string;

/** A fresh folder for one test's job files. */
async function folder(name: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The [start, end] nanosecond stamps the array tasks wrote, one file per task. */
async function intervals(dir: string): Promise<Array<[bigint, bigint]>> {
  const files = (await readdir(dir)).filter((name) => name.endsWith(".times"));
  return files.map((name) => {
    const [start, end] = readFileSync(join(dir, name), "utf8").trim().split(/\s+/).map(BigInt);
    return [start!, end!];
  });
}

/** The most intervals that overlap at one instant. */
function maxOverlap(spans: Array<[bigint, bigint]>): number {
  const events = spans.flatMap(
    ([start, end]): Array<[bigint, number]> => [
      [start, 1],
      [end, -1],
    ],
  );
  events.sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
  let now = 0;
  let most = 0;
  for (const [, delta] of events) {
    now += delta;
    most = Math.max(most, now);
  }
  return most;
}

// A task that records when it ran (nanoseconds) and takes a moment, so overlaps are visible.
const TIMED_TASK = 'start=$(date +%s%N); sleep 0.3; echo "$start $(date +%s%N)" > "t-$SLURM_ARRAY_TASK_ID.times"';

describe.skipIf(noSlurm)("a single-node Slurm test cluster (scripts/slurm-cluster.sh)", () => {
  beforeAll(async () => {
    cluster = await slurmEnv();
    work = await mkdtemp(join(tmpdir(), "runnable-slurm-test-"));
  }, 600_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("status and env say it is up, and a second start reuses the running cluster", async () => {
    const status = await run("bash", [SLURM_SCRIPT, "status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`running: SLURM_CONF=${cluster.conf}`);
    const env = await run("bash", [SLURM_SCRIPT, "env"]);
    expect(env.stdout.trim()).toBe(`export SLURM_CONF=${cluster.conf}`);
    expect((await slurmEnv()).conf).toBe(cluster.conf);
    const sinfo = await slurm(cluster, "sinfo", ["-h", "-N", "-o", "%N %T %c %P"]);
    expect(sinfo.stdout.trim()).toMatch(new RegExp(`^${cluster.node} (idle|mixed|allocated) \\d+ debug\\*$`));
  }, 60_000);

  test("sbatch --wait of true exits 0 and the job is COMPLETED with ExitCode 0:0", async () => {
    const dir = await folder("wait");
    const result = await slurm(cluster, "sbatch", ["--parsable", "--wait", "--wrap", "true"], { cwd: dir });
    expect(result.code).toBe(0);
    const [record] = await waitForJob(cluster, result.stdout.trim(), 10_000);
    expect(record).toMatchObject({ JobState: "COMPLETED", ExitCode: "0:0", Reason: "None" });
  }, 60_000);

  test("two 1-CPU jobs run at the same time on the node", async () => {
    const dir = await folder("pair");
    // Each job marks itself started and waits for the other's mark: both succeed only when both ran at once.
    const job = (me: string, other: string) => `touch ${me}.started; for i in $(seq 1 300); do [ -e ${other}.started ] && exit 0; sleep 0.1; done; exit 1`;
    const a = await sbatch(cluster, ["--cpus-per-task=1", "--wrap", job("a", "b")], { cwd: dir });
    const b = await sbatch(cluster, ["--cpus-per-task=1", "--wrap", job("b", "a")], { cwd: dir });
    expect((await waitForJob(cluster, a, 60_000))[0]!["JobState"]).toBe("COMPLETED");
    expect((await waitForJob(cluster, b, 60_000))[0]!["JobState"]).toBe("COMPLETED");
  }, 90_000);

  test("a job array of 20 items with %2 runs every item, never more than 2 at once", async () => {
    const dir = await folder("array");
    const id = await sbatch(
      cluster,
      ["--array=0-19%2", "--output=%A_%a.out", "--wrap", `${TIMED_TASK}; echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID"`],
      {
        cwd: dir,
      },
    );
    const throttle = (await showJob(cluster, id)).find((record) => record["ArrayTaskThrottle"]);
    expect(throttle?.["ArrayTaskThrottle"]).toBe("2");
    const records = await waitForJob(cluster, id, 120_000);
    expect(records).toHaveLength(20);
    expect(records.every((record) => record["JobState"] === "COMPLETED" && record["ArrayJobId"] === id)).toBe(true);
    expect(records.map((record) => Number(record["ArrayTaskId"])).sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
    expect(readFileSync(join(dir, `${id}_7.out`), "utf8")).toBe(`task 7 of ${id}\n`);
    const spans = await intervals(dir);
    expect(spans).toHaveLength(20);
    expect(maxOverlap(spans)).toBeLessThanOrEqual(2);
    // The jobcomp file has a line per task, with its array ids.
    await until(() => jobcompRecords(cluster, { arrayJobId: id }).length === 20, 10_000, "20 jobcomp lines");
  }, 150_000);

  test("a job array with %1 runs its items one after another", async () => {
    const dir = await folder("array-serial");
    const id = await sbatch(cluster, ["--array=0-3%1", "--output=/dev/null", "--wrap", TIMED_TASK], { cwd: dir });
    const records = await waitForJob(cluster, id, 60_000);
    expect(records.map((record) => record["JobState"])).toEqual(Array(4).fill("COMPLETED"));
    expect(maxOverlap(await intervals(dir))).toBe(1);
  }, 90_000);

  // A 2-CPU job needs the whole node, so it runs before the concurrent group: there the time-limit job
  // holds a CPU for over a minute and priority order would queue every later job behind this one.
  test("--mem and --cpus-per-task within the node run; more than it has, or any --gres, is refused at submit", async () => {
    const dir = await folder("resources");
    const id = await sbatch(cluster, ["--mem=64M", "--cpus-per-task=2", "--output=cpus.txt", "--wrap", "echo $SLURM_CPUS_PER_TASK"], { cwd: dir });
    const [record] = await waitForJob(cluster, id, 120_000);
    expect(record).toMatchObject({ JobState: "COMPLETED", NumCPUs: "2", MinMemoryNode: "64M" });
    expect(readFileSync(join(dir, "cpus.txt"), "utf8")).toBe("2\n");
    const refused = async (args: string[]) => (await slurm(cluster, "sbatch", ["--parsable", ...args, "--wrap", "true"], { cwd: dir })).stderr;
    expect(await refused(["--cpus-per-task=64"])).toContain("More processors requested than permitted");
    expect(await refused(["--mem=100T"])).toContain("Memory specification can not be satisfied");
    expect(await refused(["--gres=gpu:1"])).toContain("Invalid generic resource (gres) specification");
    expect(await refused(["--partition=nowhere"])).toContain("Invalid partition name specified");
  }, 180_000);

  // The time-limit kill takes 60-95 s (one-minute granularity, slurmctld checks every 30 s): these
  // tests run side by side so the file takes about that long.
  describe.concurrent("jobs that end badly, and job options", () => {
    test("a job past --time=1 is killed: TIMEOUT with Reason=TimeLimit, SIGTERM then SIGKILL after KillWait", async () => {
      const dir = await folder("timeout");
      const script = 'trap "echo TERM > term.txt" TERM; while true; do sleep 1; done';
      const id = await sbatch(cluster, ["--time=1", "--output=out.txt", "--wrap", script], { cwd: dir });
      const [record] = await waitForJob(cluster, id, 150_000);
      expect(record).toMatchObject({ JobState: "TIMEOUT", Reason: "TimeLimit", TimeLimit: "00:01:00" });
      expect(record!["ExitCode"]).toMatch(/^0:(9|15)$/);
      const ranFor = (Date.parse(record!["EndTime"]!) - Date.parse(record!["StartTime"]!)) / 1000;
      expect(ranFor).toBeGreaterThanOrEqual(60);
      expect(ranFor).toBeLessThanOrEqual(60 + 30 + 2 + 5);
      expect(readFileSync(join(dir, "out.txt"), "utf8")).toContain(`JOB ${id} ON ${cluster.node} CANCELLED AT`);
      expect(readFileSync(join(dir, "out.txt"), "utf8")).toContain("DUE TO TIME LIMIT");
      await until(() => existsSync(join(dir, "term.txt")), 5_000, "the job's TERM trap");
      await until(() => jobcompRecords(cluster, { jobId: id }).length === 1, 10_000, "the jobcomp line");
      expect(jobcompRecords(cluster, { jobId: id })[0]).toMatchObject({ JobState: "TIMEOUT", TimeLimit: "1" });
    }, 180_000);

    test("scancel of a running job: CANCELLED, and its processes are gone", async () => {
      const dir = await folder("cancel");
      const id = await sbatch(cluster, ["--output=/dev/null", "--wrap", "echo $$ > pid; sleep 300"], { cwd: dir });
      await until(() => existsSync(join(dir, "pid")) && readFileSync(join(dir, "pid"), "utf8").endsWith("\n"), 120_000, "the job to start");
      const pid = Number(readFileSync(join(dir, "pid"), "utf8"));
      expect((await showJob(cluster, id))[0]!["JobState"]).toBe("RUNNING");
      expect((await slurm(cluster, "scancel", [id])).code).toBe(0);
      const [record] = await waitForJob(cluster, id, 30_000);
      expect(record!["JobState"]).toBe("CANCELLED");
      // SIGTERM reaches the shell either itself (0:15) or after its child died of it (exit 143): a race.
      expect(record!["ExitCode"]).toMatch(/^(0:15|143:0)$/);
      await until(() => !existsSync(`/proc/${pid}`), 10_000, "the job's shell to be gone");
      await until(() => jobcompRecords(cluster, { jobId: id }).length === 1, 10_000, "the jobcomp line");
      expect(jobcompRecords(cluster, { jobId: id })[0]!["JobState"]).toBe("CANCELLED");
    }, 180_000);

    test("a job that exits 3 is FAILED with ExitCode 3:0 (scontrol, squeue --json, the jobcomp file, sacct -c)", async () => {
      const dir = await folder("fail");
      const id = await sbatch(cluster, ["--output=/dev/null", "--wrap", "exit 3"], { cwd: dir });
      const [record] = await waitForJob(cluster, id, 120_000);
      expect(record).toMatchObject({ JobState: "FAILED", Reason: "NonZeroExitCode", ExitCode: "3:0" });
      // squeue --json (22.05) ignores its filters and lists every job slurmctld remembers.
      const squeue = await slurm(cluster, "squeue", ["--json"]);
      const job = JSON.parse(squeue.stdout).jobs.find((entry: { job_id: number }) => entry.job_id === Number(id));
      expect(job).toMatchObject({ job_id: Number(id), job_state: "FAILED", state_reason: "NonZeroExitCode", exit_code: 3 << 8 });
      await until(() => jobcompRecords(cluster, { jobId: id }).length === 1, 10_000, "the jobcomp line");
      expect(jobcompRecords(cluster, { jobId: id })[0]).toMatchObject({ JobState: "FAILED", ExitCode: "3:0" });
      const sacct = await slurm(cluster, "sacct", ["--completion", "--parsable2", "--noheader", "--jobs", id, "--format=JobID,State,ExitCode"]);
      expect(sacct.stdout).toContain(`${id}|FAILED|3:0`);
      // Without slurmdbd, plain sacct has nothing to read.
      expect((await slurm(cluster, "sacct", ["--jobs", id])).stderr).toContain("accounting storage is disabled");
    }, 180_000);

    test("--output and --error go to their own files (with %j)", async () => {
      const dir = await folder("output");
      const id = await sbatch(cluster, ["--output=out-%j.txt", "--error=err-%j.txt", "--wrap", "echo to-stdout; echo to-stderr >&2"], { cwd: dir });
      expect((await waitForJob(cluster, id, 120_000))[0]!["JobState"]).toBe("COMPLETED");
      expect(readFileSync(join(dir, `out-${id}.txt`), "utf8")).toBe("to-stdout\n");
      expect(readFileSync(join(dir, `err-${id}.txt`), "utf8")).toBe("to-stderr\n");
    }, 180_000);

    test("--export: ALL passes the submitter's environment and extra variables; NAME=value alone passes only those", async () => {
      const dir = await folder("export");
      const print = 'echo "MARK=${RUNNABLE_SLURM_MARK:-unset} FOO=${FOO:-unset}"';
      const env = { RUNNABLE_SLURM_MARK: "from-submitter" };
      const all = await sbatch(cluster, ["--export=ALL,FOO=bar", "--output=all.txt", "--wrap", print], { cwd: dir, env });
      const only = await sbatch(cluster, ["--export=FOO=baz", "--output=only.txt", "--wrap", print], { cwd: dir, env });
      await waitForJob(cluster, all, 120_000);
      await waitForJob(cluster, only, 120_000);
      expect(readFileSync(join(dir, "all.txt"), "utf8")).toBe("MARK=from-submitter FOO=bar\n");
      expect(readFileSync(join(dir, "only.txt"), "utf8")).toBe("MARK=unset FOO=baz\n");
    }, 180_000);

    test("--chdir sets the job's working directory; without it the job runs where sbatch ran", async () => {
      const dir = await folder("chdir");
      const other = await folder("chdir-other");
      const moved = await sbatch(cluster, [`--chdir=${other}`, "--output=pwd.txt", "--wrap", "pwd"], { cwd: dir });
      const stayed = await sbatch(cluster, ["--output=pwd.txt", "--wrap", "pwd"], { cwd: dir });
      await waitForJob(cluster, moved, 120_000);
      await waitForJob(cluster, stayed, 120_000);
      expect(readFileSync(join(other, "pwd.txt"), "utf8")).toBe(`${other}\n`);
      expect(readFileSync(join(dir, "pwd.txt"), "utf8")).toBe(`${dir}\n`);
      expect((await showJob(cluster, moved))[0]!["WorkDir"]).toBe(other);
    }, 180_000);

    test("--dependency=afterok runs a chain in order; after a failure the rest is cancelled (kill_invalid_depend)", async () => {
      const dir = await folder("chain");
      const first = await sbatch(cluster, ["--output=/dev/null", "--wrap", "echo 1 >> chain.txt"], { cwd: dir });
      const second = await sbatch(cluster, [`--dependency=afterok:${first}`, "--output=/dev/null", "--wrap", "echo 2 >> chain.txt"], { cwd: dir });
      const third = await sbatch(cluster, [`--dependency=afterok:${second}`, "--output=/dev/null", "--wrap", "echo 3 >> chain.txt"], { cwd: dir });
      expect((await waitForJob(cluster, third, 120_000))[0]!["JobState"]).toBe("COMPLETED");
      expect(readFileSync(join(dir, "chain.txt"), "utf8")).toBe("1\n2\n3\n");

      const failing = await sbatch(cluster, ["--output=/dev/null", "--wrap", "exit 1"], { cwd: dir });
      const after = await sbatch(cluster, [`--dependency=afterok:${failing}`, "--output=/dev/null", "--wrap", "touch never"], { cwd: dir });
      const afterThat = await sbatch(cluster, [`--dependency=afterok:${after}`, "--output=/dev/null", "--wrap", "touch never"], { cwd: dir });
      expect((await waitForJob(cluster, failing, 120_000))[0]!["JobState"]).toBe("FAILED");
      for (const id of [after, afterThat]) {
        expect((await waitForJob(cluster, id, 30_000))[0]).toMatchObject({ JobState: "CANCELLED", Reason: "DependencyNeverSatisfied" });
      }
      expect(existsSync(join(dir, "never"))).toBe(false);
    }, 180_000);
  });
});
