// `npm run bench:vs-runnable`: the same pipelines through runnable 0.50.0 (today's, what a user would
// pick instead), runnable 0.3.0 (2024-03, the generation this project reproduces) and runnable-ts, whole
// processes, in alternating rounds after a checked run of each; medians, and the ratio runnable/ours per
// generation: ours runs 0.3.0's February-2024 YAML against 0.3.0 and 0.50's YAML against 0.50.0 (neither
// runnable reads the other's). Plus the 0.50-style Python SDK pipeline and PythonJob (vs-runnable-050-sdk.mjs,
// -job.mjs). Every figure goes through bench/report.mjs (target: ratio >= 5 against 0.50.0 on every row;
// regressions against docs/performance.md). The table is written to bench/vs-runnable.results.md.
// Not part of `npm test` (it takes many minutes).
//
//   npm run bench:vs-runnable                                  # every row, every tool
//   npm run bench:vs-runnable -- stub python --repeats 1       # rows whose name contains a word; 1 round
//   npm run bench:vs-runnable -- --tools 0.50 --limit 60       # 0.50.0 and ours only; 60 s cap per run
//   npm run bench:vs-runnable -- --record                      # this run's figures become the reference
//   (also BENCH_REPEATS, BENCH_LIMIT_S; --write writes the results file for a subset too, --out FILE elsewhere)
//
// Differences of runnable 0.3.0 that the 2024 pipelines respect: upper-case RUNNABLE_ prefixes only,
// `command: module.function` imported from the working directory, an in-memory run log store by
// default (both get `run_log_store: file-system` here), and a RecursionError on a 1,000-step chain
// (reported as such). runnable 0.50.0 has no `track_this` (that row is 0.3.0's only).
import { runnableInvocation } from "./cli-command.mjs";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { finishReport, formatValue, report } from "./report.mjs";
import { alternate, cleanEnv, runScriptOnce, runTimed, venv050Python } from "./vs-runnable-050-harness.mjs";
import { jobBench } from "./vs-runnable-050-job.mjs";
import { sdkBench } from "./vs-runnable-050-sdk.mjs";
import { checkRunLog, executeArgs, executeArgs050, measures, measures050, slugOf } from "./vs-runnable-pipelines.mjs";

const REPO = resolve(import.meta.dirname, "..");
const RESULTS = join(import.meta.dirname, "vs-runnable.results.md");
const VENV_030 = process.env.RUNNABLE_BENCH_VENV ?? join(homedir(), ".cache", "runnable-ts", "runnable-0.3.0-venv");
/** A row whose checked run took longer than this is not repeated: the check is its one sample. */
const SLOW_MS = 10_000;
/** The tools, in the order of the table: a runnable and ours in its dialect, per generation. */
const TOOLS = { "0.50": ["0.50.0", "ours-0.50"], 0.3: ["0.3.0", "ours-2024"] };
/** Ours' own targets (issue 25), beside the ratio >= 5 of every row. */
const OURS_TARGETS = { "stub-chain-of-10": "<= 130", "python-chain-of-10": "<= 110", "one-step-cli-run": "<= 150" };

const { values: options, positionals: words } = parseArgs({
  allowPositionals: true,
  options: {
    repeats: { type: "string", default: process.env.BENCH_REPEATS ?? "3" },
    limit: { type: "string", default: process.env.BENCH_LIMIT_S ?? "120" },
    tools: { type: "string", default: "0.50,0.3" },
    record: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    out: { type: "string", default: RESULTS },
  },
});
const REPEATS = Number(options.repeats);
const LIMIT_S = Number(options.limit);
const GENERATIONS = options.tools.split(",").filter((g) => TOOLS[g]);

/** Installs runnable 0.3.0 into its cached virtualenv unless it is there already. */
function ensureRunnable030() {
  const marker = join(VENV_030, ".runnable-0.3.0");
  if (existsSync(marker) && existsSync(join(VENV_030, "bin", "runnable"))) return;
  mkdirSync(join(VENV_030, ".."), { recursive: true });
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  console.log(`installing runnable==0.3.0 from PyPI into ${VENV_030} (once)`);
  if (!existsSync(join(VENV_030, "bin", "python"))) execFileSync(python, ["-m", "venv", VENV_030], { stdio: "inherit" });
  execFileSync(join(VENV_030, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "runnable==0.3.0"], { stdio: "inherit" });
  writeFileSync(marker, "");
}

/** How each tool runs a YAML measure in `dir` (`python` is the venv interpreter of that generation). */
function invocation(tool, measure, dir, pythons) {
  const ours = (...args) => runnableInvocation("execute", ...args);
  const env050 = { ...cleanEnv(), RUNNABLE_RUN_ID: "bench", PYTHONPATH: dir };
  switch (tool) {
    case "0.3.0":
      return { command: join(VENV_030, "bin", "runnable"), args: ["execute", ...executeArgs(measure, "bench")], env: cleanEnv() };
    case "ours-2024":
      return { ...ours(...executeArgs(measure, "bench"), "--quiet"), env: { ...cleanEnv(), RUNNABLE_PYTHON: pythons["0.3"] } };
    case "0.50.0":
      return { command: join(pythons["0.50"], "..", "runnable"), args: ["execute", ...executeArgs050(measure)], env: env050 };
    default:
      return { ...ours(...executeArgs050(measure), "--quiet"), env: { ...env050, RUNNABLE_PYTHON: pythons["0.50"] } };
  }
}

/** One checked run of a YAML measure by one tool in a fresh folder: `{ ms, cpuMs, rssMb }` or `{ failure }`. */
async function runYamlOnce(tool, measure, pythons) {
  const dir = mkdtempSync(join(tmpdir(), `vs-runnable-${tool}-`));
  try {
    for (const [name, text] of Object.entries(measure.files)) writeFileSync(join(dir, name), text);
    const run = await runTimed({ ...invocation(tool, measure, dir, pythons), cwd: dir, limitS: LIMIT_S });
    if (run.timedOut) return { failure: `> ${LIMIT_S} s (time limit)`, capped: true, ms: run.ms };
    if (/RecursionError/.test(run.stderr)) return { failure: "RecursionError" };
    if (run.code !== 0) return { failure: `exit ${run.code}: ${run.stderr.trim().split("\n").slice(-2).join(" / ")}` };
    const wrong = checkRunLog(dir, "bench", measure);
    return wrong ? { failure: wrong } : { ms: run.ms, cpuMs: run.cpuMs, rssMb: run.rssMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every row: its name, id, steps per run, and how each tool that applies runs it once. */
function rows(pythons) {
  const byName = new Map();
  const add = (name, perStep, tool, run, slug = slugOf(name)) => {
    if (!byName.has(name)) byName.set(name, { name, slug, perStep, cases: {} });
    byName.get(name).cases[tool] = run;
  };
  if (GENERATIONS.includes("0.50")) {
    for (const m of measures050()) for (const tool of TOOLS["0.50"]) add(m.name, m.perStep, tool, () => runYamlOnce(tool, m, pythons));
  }
  if (GENERATIONS.includes("0.3")) {
    for (const m of measures()) for (const tool of TOOLS["0.3"]) add(m.name, m.perStep, tool, () => runYamlOnce(tool, m, pythons));
  }
  if (GENERATIONS.includes("0.50")) {
    for (const [bench, name, slug] of [
      [sdkBench, "0.50 SDK pipeline of 3 PythonTasks (python pipeline.py)", "sdk-pipeline-of-3"],
      [jobBench, "0.50 SDK no-op PythonJob (python job.py)", "sdk-python-job"],
    ]) {
      add(name, undefined, "0.50.0", () => runScriptOnce(bench, pythons["0.50"], "0.50", { limitS: LIMIT_S }), slug);
      add(name, undefined, "ours-0.50", () => runScriptOnce(bench, pythons["0.50"], "ours", { limitS: LIMIT_S }), slug);
    }
  }
  return [...byName.values()].filter((row) => words.length === 0 || words.some((word) => row.name.includes(word)));
}

/** A tool's result as a table cell. */
function shown(result, perStep) {
  if (!result) return "—";
  if (result.failure) return result.failure;
  const time = result.ms >= 1000 ? `${(result.ms / 1000).toFixed(2)} s` : `${result.ms.toFixed(0)} ms`;
  const step = perStep ? ` = ${(result.ms / perStep).toFixed(1)} ms/step` : "";
  return `${time}${step} (CPU ${(result.cpuMs / 1000).toFixed(2)} s), ${result.rssMb.toFixed(0)} MB`;
}

/** runnable's time over ours': `{ value, atLeast, cpu }`, or undefined when there is none. */
function ratioOf(theirs, ours) {
  if (!theirs || !ours || ours.failure) return undefined;
  if (theirs.capped) return { value: theirs.ms / ours.ms, atLeast: true };
  if (theirs.failure) return undefined;
  return { value: theirs.ms / ours.ms, cpu: theirs.cpuMs / ours.cpuMs };
}

const ratioCell = (ratio) => (!ratio ? "n/a" : ratio.atLeast ? `> ${formatValue(ratio.value)}` : `${formatValue(ratio.value)} (CPU ${formatValue(ratio.cpu)})`);

/** Prints a row's figures through the report helper. */
function reportRow(row, result) {
  for (const [generation, [theirs, ours]] of Object.entries(TOOLS)) {
    const ratio = ratioOf(result[theirs], result[ours]);
    if (!ratio) continue;
    report({
      id: `vs-runnable.${generation === "0.50" ? "050" : "030"}.${row.slug}`,
      label: `${row.name}: runnable ${theirs}/ours${ratio.atLeast ? " (at least: runnable hit the time limit)" : ""}`,
      value: ratio.value,
      unit: "x",
      target: generation === "0.50" ? ">= 5" : undefined,
      better: "higher",
      note: `runnable ${shown(result[theirs], row.perStep)}; ours ${shown(result[ours], row.perStep)}`,
    });
  }
  const ours = [result["ours-0.50"], result["ours-2024"]].find((r) => r && !r.failure);
  if (ours)
    report({ id: `vs-runnable.ours.${row.slug}`, label: `${row.name}: ours, whole process`, value: ours.ms, unit: "ms", target: OURS_TARGETS[row.slug] });
}

/** The version of runnable in a venv, and its Python's. */
function versionOf(python) {
  const code = "import importlib.metadata as m, platform; print(m.version('runnable'), platform.python_version())";
  return execFileSync(python, ["-c", code], { encoding: "utf8" }).trim().split(" ");
}

/** The heading of the results file: date, load, versions, how it was run. */
function heading(pythons, loads) {
  const commit = execFileSync("git", ["-C", REPO, "log", "-1", "--format=%h %cs"], { encoding: "utf8" }).trim();
  const version = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;
  const tools = [`runnable-ts ${version} (commit ${commit}; Node ${process.version})`];
  for (const [generation, python] of Object.entries(pythons)) {
    const [runnable, py] = versionOf(python);
    tools.push(
      `runnable ${runnable} (${join(python, "..", "..")}, Python ${py}${generation === "0.50" ? "; its interpreter runs ours' Python steps on the 0.50 side" : "; its interpreter runs ours' Python steps on the 0.3.0 side"})`,
    );
  }
  return [
    `# Side by side with runnable 0.50.0 and 0.3.0 (issue 25), measured on the 2-core development machine`,
    "",
    `\`npm run bench:vs-runnable${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; ` +
      `load average ${loads[0]} at the start, ${loads[1]} at the end (2 cores shared with other work). Whole CLI processes; ` +
      `one checked run of each tool, then ${REPEATS} alternating round(s), medians of wall time, CPU time (user + system, with children) and peak RSS ` +
      `(\`/usr/bin/time\`); each run capped at ${LIMIT_S} s. Ratio = runnable's wall time / ours (CPU ratio in brackets), per generation: ` +
      "ours runs 0.50's YAML against 0.50.0 and the February-2024 YAML against 0.3.0. Target: ratio >= 5 against 0.50.0 on every row.",
    "",
    ...tools.map((tool) => `- ${tool}`),
    "",
  ].join("\n");
}

/** A markdown table with its columns padded to one width, as the formatter (Biome) writes it. */
function markdownTable(header, rows) {
  const widths = header.map((_, i) => Math.max(3, ...[header, ...rows].map((cells) => cells[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

/** Runs the selected rows and prints them as they finish, then the table; writes the results file. */
async function main() {
  const pythons = {};
  if (GENERATIONS.includes("0.50")) pythons["0.50"] = venv050Python();
  if (GENERATIONS.includes("0.3")) {
    ensureRunnable030();
    pythons["0.3"] = join(VENV_030, "bin", "python");
  }
  const loads = [load()];
  const selected = rows(pythons);
  console.log(
    `${selected.length} rows, tools ${GENERATIONS.flatMap((g) => TOOLS[g]).join(", ")}; ${REPEATS} alternating rounds after a checked run; cap ${LIMIT_S} s; load ${loads[0]}`,
  );
  const table = [];
  for (const row of selected) {
    const result = await alternate(Object.keys(row.cases), (tool) => row.cases[tool](), { repeats: REPEATS, slowMs: SLOW_MS });
    reportRow(row, result);
    table.push({ row, result });
  }
  loads.push(load());
  const header = [
    "measure",
    "runnable 0.50.0",
    "ours (0.50 YAML)",
    "ratio 0.50.0/ours (target >= 5)",
    "runnable 0.3.0",
    "ours (2024 YAML)",
    "ratio 0.3.0/ours",
  ];
  const cells = table.map(({ row, result: r }) => [
    row.name,
    ...[r["0.50.0"], r["ours-0.50"]].map((x) => shown(x, row.perStep)),
    ratioCell(ratioOf(r["0.50.0"], r["ours-0.50"])),
    ...[r["0.3.0"], r["ours-2024"]].map((x) => shown(x, row.perStep)),
    ratioCell(ratioOf(r["0.3.0"], r["ours-2024"])),
  ]);
  const lines = markdownTable(header, cells);
  console.log(`\n${lines.join("\n")}`);
  const whole = words.length === 0 && GENERATIONS.length === 2;
  if (whole || options.write) {
    writeFileSync(options.out, `${heading(pythons, loads)}\n${lines.join("\n")}\n`);
    console.log(`\nwritten to ${options.out}`);
  } else console.log("\n(a subset: bench/vs-runnable.results.md left as it is; --write writes it)");
  finishReport({ record: options.record, title: "npm run bench:vs-runnable" });
}

await main();
