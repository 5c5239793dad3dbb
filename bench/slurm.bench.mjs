// Slurm executor benchmarks of issue 24, on the single-node test cluster (scripts/slurm-cluster.sh; root only):
// - per-step overhead: a chain of five shell `true` steps under the slurm executor minus the same run
//   under local, per step, against a bare `sbatch --wait --wrap true` (the measure) and against
//   a bare `sbatch` + `squeue` poll every 50 ms (the fastest way to see a job end);
// - a 1,000-item map as one job array (items_per_array_task items per array task), submit to the run
//   log's SUCCESS, against 1,000 separate `sbatch --wrap true` submitted one after another, to all done.
// The machine is shared (2 CPUs): the two sides of each comparison run back to back, several times.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");
const CLI = join(REPO, "bin/runnable.js");
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

function clusterEnv() {
  const out = execFileSync("bash", [join(REPO, "scripts/slurm-cluster.sh"), "start"], { encoding: "utf8" });
  const conf = /SLURM_CONF=(\S+)/.exec(out)?.[1]?.replace(/^'|'$/g, "");
  if (!conf) throw new Error(`scripts/slurm-cluster.sh start printed no SLURM_CONF: ${out}`);
  return { ...process.env, SLURM_CONF: conf };
}

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 26, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

function timed(command, args, options) {
  const started = performance.now();
  run(command, args, options);
  return performance.now() - started;
}

/** Waits until squeue lists none of `ids` (or no job at all when `ids` is empty), polling every `ms`. */
async function drain(env, ms, ids = []) {
  for (;;) {
    const args = ["-h", "-o", "%i", ...(ids.length ? [`--jobs=${ids.join(",")}`] : [])];
    const out = spawnSync("squeue", args, { env, encoding: "utf8" });
    if (out.status === 0 && out.stdout.trim() === "") return;
    if (out.status !== 0 && /Invalid job id/.test(out.stderr)) return;
    await sleep(ms);
  }
}

async function barePoll(env, cwd) {
  const started = performance.now();
  const id = run("sbatch", ["--parsable", "-o", "/dev/null", "--wrap", "true"], { env, cwd }).trim();
  await drain(env, 50, [id]);
  return performance.now() - started;
}

function project() {
  const dir = mkdtempSync(join(tmpdir(), "runnable-bench-slurm-"));
  symlinkSync(join(REPO, "examples"), join(dir, "examples"));
  return dir;
}

async function perStep(env) {
  const dir = project();
  try {
    const wait = [];
    const poll = [];
    const steps = [];
    for (let i = 0; i < 5; i++) {
      wait.push(timed("sbatch", ["--wait", "-o", "/dev/null", "--wrap", "true"], { env, cwd: dir }));
      poll.push(await barePoll(env, dir));
      const chain = ["execute", "-f", "examples/contract/true-chain.yaml", "-q"];
      const slurm = timed(process.execPath, [CLI, ...chain, "-c", "examples/configs/slurm.yaml"], { env, cwd: dir });
      const local = timed(process.execPath, [CLI, ...chain], { env, cwd: dir });
      steps.push((slurm - local) / 5);
    }
    return { wait: median(wait), poll: median(poll), step: median(steps) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MAP = `dag:
  start_at: list
  steps:
    list: {type: task, command_type: shell, command: 'export RUNNABLE_PRM_items="[$(seq -s, 1 1000)]"', next: each}
    each:
      type: map
      iterate_on: items
      iterate_as: item
      next: success
      branch:
        start_at: work
        steps:
          work: {type: task, command_type: shell, command: 'true', next: success}
`;

async function separate(env, cwd) {
  const started = performance.now();
  for (let i = 0; i < 1000; i++) run("sbatch", ["--parsable", "-o", "/dev/null", "--wrap", "true"], { env, cwd });
  await drain(env, 100);
  return performance.now() - started;
}

function mapRun(env, cwd, chunk, runId) {
  writeFileSync(join(cwd, `chunk${chunk}.yaml`), `executor:\n  type: slurm\n  config:\n    items_per_array_task: ${chunk}\n`);
  const total = timed(process.execPath, [CLI, "execute", "-f", "map.yaml", "-c", `chunk${chunk}.yaml`, "--run-id", runId, "-q"], { env, cwd });
  const log = JSON.parse(run(process.execPath, [CLI, "runs", "show", runId, "--json"], { env, cwd }));
  const attempt = log.steps.each.attempts[0];
  const map = Date.parse(`${attempt.end_time.replace(" ", "T")}Z`) - Date.parse(`${attempt.start_time.replace(" ", "T")}Z`);
  if (log.status !== "SUCCESS") throw new Error(`map run ${runId} ended ${log.status}`);
  return { total, map };
}

async function thousandItems(env, chunks) {
  const dir = project();
  try {
    writeFileSync(join(dir, "map.yaml"), MAP);
    const rows = [];
    for (let round = 0; round < 2; round++) {
      const baseline = await separate(env, dir);
      for (const chunk of chunks) rows.push({ chunk, baseline, ...mapRun(env, dir, chunk, `map-${chunk}-${round}`) });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function slurmBenchmarks() {
  if (process.getuid?.() !== 0) {
    console.log("slurm executor: skipped (the Slurm test cluster needs root)");
    return;
  }
  const env = clusterEnv();
  await drain(env, 200);
  const { wait, poll, step } = await perStep(env);
  report({
    id: "slurm.step-overhead",
    label: "slurm step (shell 'true') overhead above bare 'sbatch --wait --wrap true' (medians of 5)",
    value: step - wait,
    unit: "ms",
    target: "<= 150",
    note: `${step.toFixed(0)} ms per step above local; bare sbatch ${wait.toFixed(0)} ms; sbatch + squeue poll every 50 ms ${poll.toFixed(0)} ms`,
  });
  const chunks = (process.env["RUNNABLE_BENCH_SLURM_CHUNKS"] ?? "100").split(",").map(Number);
  for (const row of await thousandItems(env, chunks)) {
    const ratio = row.total / row.baseline;
    report({
      id: `slurm.map-1000-chunk-${row.chunk}`,
      label: `slurm 1,000-item map, ${row.chunk} items per array task, against 1,000 separate sbatch`,
      value: ratio,
      unit: "x",
      target: "<= 0.5",
      note: `${seconds(row.total)} submit to SUCCESS (the map step ${seconds(row.map)}); 1,000 separate sbatch ${seconds(row.baseline)}`,
    });
  }
}
