// The side-by-side harness of the benchmarks against runnable: one process timed whole (wall, CPU and peak
// RSS through /usr/bin/time, its process group killed at a time limit), samples gathered in alternating
// rounds after a checked run of each side, medians. `npm run bench:vs-runnable` (vs-runnable.mjs) runs
// its rows through it for runnable 0.3.0, 0.50.0 and runnable-ts; vs-runnable-050-sdk.mjs and
// vs-runnable-050-job.mjs compare one Python script with runnable 0.50.0 (`compareWith050`, target
// ours <= 0.5x). runnable 0.50.0 comes from the cached venv of scripts/runnable-050-venv.sh, whose
// interpreter runs both sides' Python (and ours' tasks), so neither pays for a pyenv shim.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { finishReport, recordRequested, report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** The environment of every side: no runnable, Python or MLflow settings of this shell. */
export function cleanEnv() {
  const env = { ...process.env, NO_COLOR: "1" };
  for (const name of Object.keys(env)) if (/^(RUNNABLE_|runnable_|MAGNUS_|PYTHON|VIRTUAL_ENV$|MLFLOW_)/.test(name)) delete env[name];
  return env;
}

/** The python of runnable 0.50.0's cached venv (installed once by scripts/runnable-050-venv.sh). */
export function venv050Python() {
  return execFileSync("bash", [join(REPO, "scripts", "runnable-050-venv.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim()
    .split("\n")
    .pop();
}

/**
 * Runs `command args` in `cwd` as its own process group, killed at `limitS` seconds: wall ms, CPU ms
 * (user + system of it and the children it waited for), peak RSS in MB, exit code, the end of stderr.
 */
export function runTimed({ command, args, cwd, env, limitS }) {
  const rssFile = join(cwd, ".bench-time");
  const [file, argv] = TIME ? [TIME, ["-f", "%M %U %S", "-o", rssFile, command, ...args]] : [command, args];
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd, env, stdio: ["ignore", "ignore", "pipe"], detached: true });
    let stderr = "";
    let timedOut = false;
    child.stderr.on("data", (chunk) => void (stderr = (stderr + chunk).slice(-20_000)));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, limitS * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const last = existsSync(rssFile) ? readFileSync(rssFile, "utf8").trim().split("\n").pop() : "";
      const [rss, user, system] = /^\d+ [\d.]+ [\d.]+$/.test(last) ? last.split(" ").map(Number) : [];
      const figures = { rssMb: rss === undefined ? undefined : rss / 1024, cpuMs: user === undefined ? undefined : (user + system) * 1000 };
      done({ ms, ...figures, code, stderr, timedOut });
    });
  });
}

/** The median of numbers (the upper one of an even count). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Medians of samples `{ ms, cpuMs, rssMb }`. */
export const summarise = (samples) => ({
  ms: median(samples.map((s) => s.ms)),
  cpuMs: median(samples.map((s) => s.cpuMs ?? 0)),
  rssMb: median(samples.map((s) => s.rssMb ?? 0)),
  n: samples.length,
});

/**
 * Samples each side `repeats` times in alternating rounds (the order rotating each round) after one
 * checked run each; `runOnce(side)` resolves `{ ms, cpuMs, rssMb }` or `{ failure, capped? }`. A side whose
 * checked run took longer than `slowMs` keeps that run as its only sample. Resolves side ->
 * `{ ms, cpuMs, rssMb, n }` or `{ failure, capped, ms }`.
 */
export async function alternate(sides, runOnce, { repeats, slowMs = Number.POSITIVE_INFINITY }) {
  const samples = Object.fromEntries(sides.map((side) => [side, []]));
  const status = {};
  for (const side of sides) {
    status[side] = await runOnce(side);
    if (!status[side].failure && (status[side].ms > slowMs || repeats === 0)) samples[side].push(status[side]);
  }
  for (let round = 0; round < repeats; round++) {
    const order = sides.map((_, i) => sides[(i + round) % sides.length]);
    for (const side of order) {
      if (status[side].failure || status[side].ms > slowMs) continue;
      const run = await runOnce(side);
      if (run.failure) status[side] = run;
      else samples[side].push(run);
    }
  }
  const result = {};
  for (const side of sides) {
    result[side] = status[side].failure ? { failure: status[side].failure, capped: status[side].capped, ms: status[side].ms } : summarise(samples[side]);
  }
  return result;
}

/** How each side runs a Python script in `dir` (`python` runs both; ours hands the pipeline to our CLI). */
export function scriptSides(python) {
  return {
    "0.50": (dir) => ({ env: { ...cleanEnv(), PYTHONPATH: dir } }),
    ours: (dir) => ({
      env: { ...cleanEnv(), PYTHONPATH: `${join(REPO, "python")}:${dir}`, RUNNABLE_PYTHON: python, RUNNABLE_TS_CLI: join(REPO, "bin", "runnable.js") },
    }),
  };
}

/** Why the run log `.run_log_store/<runId>.json` of `dir` is not the expected one, or undefined. */
export function checkScriptRunLog(dir, check, runId = "bench") {
  const file = join(dir, ".run_log_store", `${runId}.json`);
  if (!existsSync(file)) return `no run log .run_log_store/${runId}.json`;
  return check(JSON.parse(readFileSync(file, "utf8")));
}

/** One run of `bench.script` (with `bench.files`) by one side in a fresh folder, its run log checked. */
export async function runScriptOnce(bench, python, side, { limitS = 300 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `vs-050-${bench.name}-${side === "ours" ? "ours" : "theirs"}-`));
  try {
    for (const [name, text] of Object.entries(bench.files)) writeFileSync(join(dir, name), text);
    const env = { ...scriptSides(python)[side](dir).env, RUNNABLE_RUN_ID: "bench" };
    const run = await runTimed({ command: python, args: [bench.script], cwd: dir, env, limitS });
    if (run.timedOut) return { failure: `> ${limitS} s (time limit)`, capped: true, ms: run.ms };
    if (run.code !== 0) return { failure: `exit ${run.code}: ${run.stderr.trim().split("\n").slice(-3).join(" / ")}` };
    const failure = checkScriptRunLog(dir, bench.check);
    return failure ? { failure } : { ms: run.ms, cpuMs: run.cpuMs, rssMb: run.rssMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `bench.script` (with `bench.files` written beside it) under runnable 0.50.0 and runnable-ts,
 * alternating, and prints medians and the ratio; `bench.check(runLog)` says why a run log is wrong.
 */
export async function compareWith050(bench, { repeats = Number(process.env.BENCH_REPEATS ?? 9) } = {}) {
  const python = venv050Python();
  const result = await alternate(["ours", "0.50"], (side) => runScriptOnce(bench, python, side), { repeats });
  for (const side of ["ours", "0.50"]) if (result[side].failure) throw new Error(`${side}: ${result[side].failure}`);
  const { ours, "0.50": theirs } = result;
  const shown = (s) => `${s.ms.toFixed(0)} ms (CPU ${s.cpuMs.toFixed(0)} ms), ${s.rssMb.toFixed(0)} MB`;
  console.log(`${bench.title}, ${repeats} alternating pairs after a checked one (medians; interpreter ${python}):`);
  const note = `runnable 0.50.0 ${shown(theirs)}; runnable-ts ${shown(ours)}`;
  report({ id: `vs-runnable-050-${bench.name}.wall`, label: "  ours/0.50, wall", value: ours.ms / theirs.ms, unit: "x", target: "<= 0.5", note });
  report({ id: `vs-runnable-050-${bench.name}.cpu`, label: "  ours/0.50, CPU", value: ours.cpuMs / theirs.cpuMs, unit: "x", target: "<= 0.5" });
  finishReport({ record: recordRequested(), title: bench.title });
}
