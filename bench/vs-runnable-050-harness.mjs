// The side-by-side harness of the benchmarks against runnable 0.50.0 (vs-runnable-050-sdk.mjs,
// vs-runnable-050-job.mjs): a Python script run by each tool in a fresh folder, the whole process timed
// (wall, CPU and peak RSS through /usr/bin/time), the run log checked afterwards, alternating pairs after
// a checked one, medians and the ratio ours/0.50 (target <= 0.5x). runnable 0.50.0 comes from the cached
// venv of scripts/runnable-050-venv.sh, whose interpreter runs both sides' Python (and ours' tasks), so
// neither pays for a pyenv shim.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

const REPO = resolve(import.meta.dirname, "..");
const REPEATS = Number(process.env.BENCH_REPEATS ?? 9);
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** The environment of both sides: no runnable, Python or MLflow settings of this shell. */
function cleanEnv() {
  const env = { ...process.env, NO_COLOR: "1" };
  for (const name of Object.keys(env)) if (/^(RUNNABLE_|runnable_|PYTHON|VIRTUAL_ENV$|MLFLOW_)/.test(name)) delete env[name];
  return env;
}

/** How each side runs the script in `dir`. */
function sides(python) {
  return {
    "0.50": (dir) => ({ env: { ...cleanEnv(), PYTHONPATH: dir } }),
    ours: (dir) => ({
      env: { ...cleanEnv(), PYTHONPATH: `${join(REPO, "python")}:${dir}`, RUNNABLE_PYTHON: python, RUNNABLE_TS_CLI: join(REPO, "bin", "runnable.js") },
    }),
  };
}

/** One run in a fresh folder: wall time, CPU time and peak RSS (of the process and the children it waited for), and the run log's check. */
function runOnce(bench, python, side, setup) {
  const dir = mkdtempSync(join(tmpdir(), `vs-050-${bench.name}-${side === "ours" ? "ours" : "theirs"}-`));
  for (const [name, text] of Object.entries(bench.files)) writeFileSync(join(dir, name), text);
  const rssFile = join(dir, ".rss");
  const env = { ...setup(dir).env, RUNNABLE_RUN_ID: "bench" };
  const [file, args] = TIME ? [TIME, ["-f", "%M %U %S", "-o", rssFile, python, bench.script]] : [python, [bench.script]];
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(file, args, { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => void (stderr = (stderr + chunk).slice(-8000)));
    child.on("close", (code) => {
      const ms = performance.now() - started;
      const [rss, user, system] = existsSync(rssFile) ? readFileSync(rssFile, "utf8").trim().split("\n").pop().split(" ").map(Number) : [];
      const failure = code !== 0 ? `exit ${code}: ${stderr.trim().split("\n").slice(-3).join(" / ")}` : checkRunLog(dir, bench.check);
      rmSync(dir, { recursive: true, force: true });
      done({ ms, rssMb: rss === undefined ? undefined : rss / 1024, cpuMs: user === undefined ? undefined : (user + system) * 1000, failure });
    });
  });
}

/** Why the run log is not the expected one, or undefined (both sides write `.run_log_store/bench.json`). */
function checkRunLog(dir, check) {
  const file = join(dir, ".run_log_store", "bench.json");
  if (!existsSync(file)) return "no run log .run_log_store/bench.json";
  return check(JSON.parse(readFileSync(file, "utf8")));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Runs `bench.script` (with `bench.files` written beside it) under runnable 0.50.0 and runnable-ts,
 * alternating, and prints medians and the ratio; `bench.check(runLog)` says why a run log is wrong.
 */
export async function compareWith050(bench) {
  const python = execFileSync("bash", [join(REPO, "scripts", "runnable-050-venv.sh")], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop();
  const setups = sides(python);
  const samples = { "0.50": [], ours: [] };
  for (const side of ["ours", "0.50"]) {
    const first = await runOnce(bench, python, side, setups[side]);
    if (first.failure) throw new Error(`${side}: ${first.failure}`);
  }
  for (let round = 0; round < REPEATS; round++) {
    for (const side of round % 2 === 0 ? ["ours", "0.50"] : ["0.50", "ours"]) {
      const run = await runOnce(bench, python, side, setups[side]);
      if (run.failure) throw new Error(`${side}: ${run.failure}`);
      samples[side].push(run);
    }
  }
  const summary = (side) => ({
    ms: median(samples[side].map((s) => s.ms)),
    cpuMs: median(samples[side].map((s) => s.cpuMs ?? 0)),
    rssMb: median(samples[side].map((s) => s.rssMb ?? 0)),
  });
  const ours = summary("ours");
  const theirs = summary("0.50");
  const shown = (s) => `${s.ms.toFixed(0)} ms (CPU ${s.cpuMs.toFixed(0)} ms), ${s.rssMb.toFixed(0)} MB`;
  console.log(`${bench.title}, ${REPEATS} alternating pairs after a checked one (medians; interpreter ${python}):`);
  console.log(
    `  runnable 0.50.0 ${shown(theirs)}; runnable-ts ${shown(ours)}; ours/0.50 ${(ours.ms / theirs.ms).toFixed(2)}x (target <= 0.5x), CPU ${(ours.cpuMs / theirs.cpuMs).toFixed(2)}x`,
  );
  console.log(
    `  load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(`  samples ms: 0.50 [${samples["0.50"].map((s) => s.ms.toFixed(0)).join(", ")}], ours [${samples.ours.map((s) => s.ms.toFixed(0)).join(", ")}]`);
}
