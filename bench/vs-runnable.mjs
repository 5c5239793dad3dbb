// `npm run bench:vs-runnable`: the same pipelines through PyPI runnable 0.3.0 and runnable-ts, pair by
// pair, with the medians and the ratio runnable/ours of each measure (issue 14). Not part of `npm test`
// (it takes minutes). runnable 0.3.0 (2024-03) is the first release with the experiment tracker and
// `RUNNABLE_TRACK_`; it is installed once into a cached virtualenv, whose interpreter runs the Python
// steps of both (so neither pays for a pyenv shim).
//
//   npm run bench:vs-runnable                     # every measure
//   npm run bench:vs-runnable -- python map       # measures whose name contains one of the words
//   BENCH_REPEATS=5 BENCH_LIMIT_S=300 npm run bench:vs-runnable
//
// Differences of runnable 0.3.0 that the pipelines respect: upper-case RUNNABLE_ prefixes only,
// `command: module.function` imported from the working directory, an in-memory run log store by
// default (both get `run_log_store: file-system` here), and a RecursionError on a 1,000-step chain
// (reported as such).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { checkRunLog, executeArgs, measures } from "./vs-runnable-pipelines.mjs";

const REPO = resolve(import.meta.dirname, "..");
const VERSION = "0.3.0";
const VENV = process.env.RUNNABLE_BENCH_VENV ?? join(homedir(), ".cache", "runnable-ts", `runnable-${VERSION}-venv`);
const LIMIT_S = Number(process.env.BENCH_LIMIT_S ?? 120);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/** A measure whose check run took longer than this is not repeated: the check is its one sample. */
const SLOW_MS = 10_000;
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** Installs runnable 0.3.0 into the cached virtualenv unless it is there already. */
function ensureRunnable() {
  const marker = join(VENV, `.runnable-${VERSION}`);
  if (existsSync(marker) && existsSync(join(VENV, "bin", "runnable"))) return;
  mkdirSync(join(VENV, ".."), { recursive: true });
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  console.log(`installing runnable==${VERSION} from PyPI into ${VENV} (once)`);
  if (!existsSync(join(VENV, "bin", "python"))) execFileSync(python, ["-m", "venv", VENV], { stdio: "inherit" });
  execFileSync(join(VENV, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", `runnable==${VERSION}`], { stdio: "inherit" });
  writeFileSync(marker, "");
}

/** The environment of both CLIs: this one without run variables, parameters or a config of its own. */
function cleanEnv() {
  const env = { ...process.env, NO_COLOR: "1" };
  for (const name of Object.keys(env)) if (/^(RUNNABLE|runnable|MAGNUS)_/.test(name)) delete env[name];
  return env;
}

/** How each CLI runs a measure's pipeline in `dir`. */
const SIDES = {
  runnable: (args) => ({ command: join(VENV, "bin", "runnable"), args: ["execute", ...args], env: cleanEnv() }),
  ours: (args) => ({
    command: process.execPath,
    args: [join(REPO, "bin", "runnable.js"), "execute", ...args, "--quiet"],
    env: { ...cleanEnv(), RUNNABLE_PYTHON: join(VENV, "bin", "python") },
  }),
};

/** Runs one CLI process (its group killed at the time limit); wall time, peak RSS and stderr. */
function runProcess({ command, args, env }, cwd) {
  const rssFile = join(cwd, ".bench-rss");
  const [file, argv] = TIME ? [TIME, ["-f", "%M", "-o", rssFile, command, ...args]] : [command, args];
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd, env, stdio: ["ignore", "ignore", "pipe"], detached: true });
    let stderr = "";
    let timedOut = false;
    child.stderr.on("data", (chunk) => void (stderr = (stderr + chunk).slice(-20_000)));
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid, "SIGKILL");
    }, LIMIT_S * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024 : undefined;
      done({ ms: performance.now() - started, code, stderr, timedOut, rssMb: Number.isFinite(rss) ? rss : undefined });
    });
  });
}

/** One run of a measure by one side, checked: `{ms, rssMb}` or `{failure}`. */
async function runOnce(side, measure) {
  const dir = mkdtempSync(join(tmpdir(), `vs-runnable-${side}-`));
  try {
    for (const [name, text] of Object.entries(measure.files)) writeFileSync(join(dir, name), text);
    const result = await runProcess(SIDES[side](executeArgs(measure, "bench")), dir);
    if (result.timedOut) return { failure: `> ${LIMIT_S} s (time limit)`, capped: true, ms: result.ms };
    if (/RecursionError/.test(result.stderr)) return { failure: "RecursionError" };
    if (result.code !== 0) return { failure: `exit ${result.code}: ${result.stderr.trim().split("\n").slice(-2).join(" / ")}` };
    const wrong = checkRunLog(dir, "bench", measure);
    return wrong ? { failure: wrong } : { ms: result.ms, rssMb: result.rssMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A measure, pair by pair: a checked first run of each side, then alternating timed runs. */
async function compare(measure) {
  const samples = { ours: [], runnable: [] };
  const status = {};
  for (const side of ["ours", "runnable"]) {
    const first = await runOnce(side, measure);
    status[side] = first;
    if (!first.failure && first.ms > SLOW_MS) samples[side].push(first);
  }
  for (let round = 0; round < REPEATS; round++) {
    for (const side of ["ours", "runnable"]) {
      if (status[side].failure || status[side].ms > SLOW_MS) continue;
      const run = await runOnce(side, measure);
      if (run.failure) status[side] = run;
      else samples[side].push(run);
    }
  }
  const summary = (side) =>
    status[side].failure
      ? { failure: status[side].failure, capped: status[side].capped, ms: status[side].ms }
      : { ms: median(samples[side].map((s) => s.ms)), rssMb: median(samples[side].map((s) => s.rssMb ?? 0)), n: samples[side].length };
  return { measure, ours: summary("ours"), runnable: summary("runnable") };
}

function shown(result, perStep) {
  if (result.failure) return result.failure;
  const seconds = result.ms >= 1000 ? `${(result.ms / 1000).toFixed(2)} s` : `${result.ms.toFixed(0)} ms`;
  const step = perStep ? ` (${(result.ms / perStep).toFixed(1)} ms/step)` : "";
  const rss = result.rssMb ? `, ${result.rssMb.toFixed(0)} MB` : "";
  return `${seconds}${step}${rss}`;
}

function ratio({ ours, runnable }) {
  if (ours.failure) return "n/a (ours failed)";
  if (runnable.capped) return `> ${(runnable.ms / ours.ms).toFixed(0)}`;
  if (runnable.failure) return "n/a";
  return (runnable.ms / ours.ms).toFixed(2);
}

/** Runs the selected measures and prints one line each, then the table. */
async function main() {
  ensureRunnable();
  const words = process.argv.slice(2);
  const selected = measures().filter((m) => words.length === 0 || words.some((word) => m.name.includes(word)));
  console.log(`runnable ${VERSION} (${VENV}) vs runnable-ts; ${REPEATS} alternating runs after a checked one, medians; runnable capped at ${LIMIT_S} s`);
  const rows = [];
  for (const measure of selected) {
    const row = await compare(measure);
    rows.push(row);
    console.log(
      `${measure.name}: runnable ${shown(row.runnable, measure.perStep)}; ours ${shown(row.ours, measure.perStep)}; ratio runnable/ours ${ratio(row)}`,
    );
  }
  console.log("\n| measure | runnable 0.3.0 | runnable-ts | ratio runnable/ours |\n| --- | --- | --- | --- |");
  for (const row of rows)
    console.log(`| ${row.measure.name} | ${shown(row.runnable, row.measure.perStep)} | ${shown(row.ours, row.measure.perStep)} | ${ratio(row)} |`);
}

await main();
