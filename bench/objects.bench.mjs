// `npm run bench -- objects`: a 100 MB object passed between two Python tasks (issue 18) — the first
// returns it with `kind: object`, the second takes it as an argument — through runnable 0.50.0 (PyPI, the
// cached virtualenv of the differential test) and runnable-ts, alternating runs. Reports wall time and
// peak memory: the largest process (`/usr/bin/time -v`, maximum resident set size) and the whole process
// tree (the sum of the resident sets of every process under the command, sampled every 10 ms).
// Both run the same YAML with the venv's interpreter (dill pickles for both).
//
//   npm run build && npm run bench -- objects
//   BENCH_REPEATS=5 BENCH_OBJECT_MB=100 npm run bench -- objects
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");
const VENV = process.env.RUNNABLE_050_VENV || join(homedir(), ".cache", "runnable-ts", "runnable-050-venv");
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const MEGABYTES = Number(process.env.BENCH_OBJECT_MB ?? 100);
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

const MODULE = `import os
SIZE = ${MEGABYTES} * 1000 * 1000
def make():
    return os.urandom(SIZE)
def use(blob):
    assert len(blob) == SIZE, len(blob)
`;

const PIPELINE = `dag:
  start_at: make
  steps:
    make:
      type: task
      command: bench_objects.make
      returns:
        - name: blob
          kind: object
      next: use
    use:
      type: task
      command: bench_objects.use
      next: success
`;

/** The venv's python, made by scripts/runnable-050-venv.sh when missing (minutes, once). */
function venvPython() {
  const python = join(VENV, "bin", "python");
  if (existsSync(python) && existsSync(join(VENV, ".runnable-050-ready"))) return python;
  console.log("creating the runnable 0.50.0 virtualenv (scripts/runnable-050-venv.sh, once)");
  return execFileSync("bash", [join(REPO, "scripts", "runnable-050-venv.sh")], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop();
}

/** Resident set size in bytes of every process whose ancestry reaches `root` (and of `root`). */
function treeRss(root) {
  const parents = new Map();
  const rss = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
      rss.set(Number(entry), Number(fields[21]) * 4096);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  for (const [pid, bytes] of rss) {
    for (let at = pid, hops = 0; at > 1 && hops < 64; at = parents.get(at) ?? 0, hops++) {
      if (at === root) {
        total += bytes;
        break;
      }
    }
  }
  return total;
}

/** Runs one command under /usr/bin/time -v, sampling its process tree; wall ms, largest process and tree peak in MB. */
function measured(command, args, options) {
  return new Promise((done, fail) => {
    const [cmd, argv] = TIME ? [TIME, ["-v", command, ...args]] : [command, args];
    const started = performance.now();
    const child = spawn(cmd, argv, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (chunk) => (stderr += chunk));
    let treePeak = 0;
    const sampler = setInterval(() => (treePeak = Math.max(treePeak, treeRss(child.pid))), 10);
    child.on("error", fail);
    child.on("close", (code) => {
      clearInterval(sampler);
      const ms = performance.now() - started;
      if (code !== 0) return fail(new Error(`${command} ${args.join(" ")} exited ${code}:\n${stderr.slice(-3000)}`));
      const maxRss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? Number.NaN) / 1024;
      done({ ms, largestMb: maxRss, treeMb: treePeak / 2 ** 20 });
    });
  });
}

/** One run of the pipeline by `generation` in a fresh folder; checks the object reached the catalog. */
async function runOnce(generation, python) {
  const dir = mkdtempSync(join(tmpdir(), `runnable-objects-${generation}-`));
  try {
    writeFileSync(join(dir, "bench_objects.py"), MODULE);
    writeFileSync(join(dir, "objects.yaml"), PIPELINE);
    const env = { ...process.env, NO_COLOR: "1", PYTHONPATH: dir };
    for (const name of Object.keys(env)) if (/^(RUNNABLE_|runnable_)/.test(name)) delete env[name];
    const result =
      generation === "0.50"
        ? await measured(join(VENV, "bin", "runnable"), ["execute", "objects.yaml", "bench"], { cwd: dir, env })
        : await measured(process.execPath, [join(REPO, "bin", "runnable.js"), "execute", "-f", "objects.yaml", "--run-id", "bench", "-q"], {
            cwd: dir,
            env: { ...env, RUNNABLE_PYTHON: python },
          });
    const pickled = statSync(join(dir, ".catalog", "bench", "blob.dill")).size;
    if (pickled < MEGABYTES * 1e6) throw new Error(`${generation}: blob.dill has ${pickled} bytes`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "?");

/** Prints the figures (never fails on timing; fails when a run fails). */
export async function objectsBenchmarks() {
  const python = venvPython();
  const samples = { ours: [], "0.50": [] };
  await runOnce("ours", python); // warm-up: page cache, interpreter and module files
  await runOnce("0.50", python);
  for (let i = 0; i < REPEATS; i++) {
    for (const generation of i % 2 === 0 ? ["ours", "0.50"] : ["0.50", "ours"]) samples[generation].push(await runOnce(generation, python));
  }
  console.log(`a ${MEGABYTES} MB object between two Python tasks (median of ${REPEATS} alternating runs each; dill for both)`);
  for (const generation of ["ours", "0.50"]) {
    const runs = samples[generation];
    const name = generation === "ours" ? "runnable-ts   " : "runnable 0.50.0";
    console.log(
      `  ${name}  ${fixed(median(runs.map((r) => r.ms)))} ms   largest process ${fixed(median(runs.map((r) => r.largestMb)))} MB   process tree ${fixed(median(runs.map((r) => r.treeMb)))} MB`,
    );
  }
  const ratio = median(samples.ours.map((r) => r.ms)) / median(samples["0.50"].map((r) => r.ms));
  report({ id: "objects.100mb-vs-050", label: "  time ratio runnable-ts / runnable 0.50.0", value: ratio, unit: "x", target: "<= 0.5" });
  const largest = median(samples.ours.map((r) => r.largestMb));
  if (Number.isFinite(largest)) report({ id: "objects.100mb.largest-process", label: "  runnable-ts, largest process", value: largest, unit: "MB" });
}

if (import.meta.url === `file://${process.argv[1]}`) await objectsBenchmarks();
