// The pipelines `npm run bench:vs-runnable` runs, in two dialects. `measures()`: the February-2024 YAML,
// written so that PyPI runnable 0.3.0 and runnable-ts read them the same way (explicit success/fail
// nodes, a parameters file rather than environment variables, plain `module.function` commands).
// `measures050()`: the same pipelines as runnable 0.50.0 reads them (it cannot read the 2024 YAML: its
// examples leave out the success/fail nodes, default `command_type` to python, and name the services
// `pipeline-executor` / `run-log-store`), run by 0.50.0 and by runnable-ts.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The Python module the Python measures call (`bench_tasks.noop`, `bench_tasks.track`). */
export const TASKS_MODULE = [
  "from runnable import track_this",
  "",
  "",
  "def noop():",
  "    pass",
  "",
  "",
  "def track(points: int = 1000):",
  "    for step in range(points):",
  "        track_this(step=step, value=step * 0.5)",
  "",
].join("\n");

/** Both CLIs write file-system run logs (runnable 0.3.0's default store is in memory). */
export const CONFIG_YAML = "run_log_store:\n  type: file-system\n";

const TERMINALS = "    success:\n      type: success\n    fail:\n      type: fail\n";

/** A YAML step of one kind (`stub`, `shell` running `true`, `python` calling `bench_tasks.noop`). */
function stepYaml(name, kind, next, indent = "    ") {
  const body = {
    stub: ["type: stub"],
    shell: ["type: task", "command_type: shell", 'command: "true"'],
    python: ["type: task", "command_type: python", "command: bench_tasks.noop"],
    track: ["type: task", "command_type: python", "command: bench_tasks.track"],
  }[kind];
  if (!body) throw new Error(`unknown step kind ${kind}`);
  return `${indent}${name}:\n${[...body, `next: ${next}`].map((line) => `${indent}  ${line}\n`).join("")}`;
}

/** A chain of `count` steps of `kind`. */
export function chainPipeline(kind, count) {
  let yaml = "dag:\n  start_at: s0\n  steps:\n";
  for (let i = 0; i < count; i++) yaml += stepYaml(`s${i}`, kind, i + 1 < count ? `s${i + 1}` : "success");
  return { files: { "pipeline.yaml": yaml + TERMINALS }, steps: count + 1 };
}

/** A map over `count` items whose branch is one stub step (items from the parameters file). */
export function mapPipeline(count) {
  const branch = stepYaml("each", "stub", "success", "          ") + "          success:\n            type: success\n          fail:\n            type: fail\n";
  const yaml =
    "dag:\n  start_at: fan\n  steps:\n    fan:\n      type: map\n      iterate_on: items\n      iterate_as: item\n" +
    `      branch:\n        start_at: each\n        steps:\n${branch}      next: success\n${TERMINALS}`;
  const items = Array.from({ length: count }, (_, i) => i);
  return { files: { "pipeline.yaml": yaml, "params.yaml": `items: [${items.join(", ")}]\n` }, steps: 2, branches: { fan: count } };
}

/** One shell step printing a line: the whole process of the CLI is what is timed. */
export function oneStepPipeline() {
  const yaml = "dag:\n  start_at: hello\n  steps:\n    hello:\n      type: task\n      command_type: shell\n      command: echo hello\n      next: success\n";
  return { files: { "pipeline.yaml": yaml + TERMINALS }, steps: 2 };
}

/** One Python step recording 1,000 `track_this` points. */
export function trackPipeline() {
  let yaml = "dag:\n  start_at: track\n  steps:\n";
  yaml += stepYaml("track", "track", "success");
  return { files: { "pipeline.yaml": yaml + TERMINALS }, steps: 2, metrics: { track: 1000 } };
}

/** A measure's id in the recorded figures: its name in lower case, words joined by "-". */
export const slugOf = (name) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** Every measure of the side-by-side benchmark in the 2024 dialect, in the order they run. */
export function measures() {
  const list = [];
  for (const kind of ["stub", "shell", "python"]) {
    for (const count of [10, 100, 1000]) list.push({ name: `${kind} chain of ${count}`, perStep: count, ...chainPipeline(kind, count) });
  }
  for (const count of [100, 1000]) list.push({ name: `map of ${count} items`, ...mapPipeline(count) });
  list.push({ name: "one-step CLI run", ...oneStepPipeline() });
  list.push({ name: "1,000 track_this points", ...trackPipeline() });
  return list.map((measure) => ({
    ...measure,
    slug: slugOf(measure.name),
    files: { ...measure.files, "bench_tasks.py": TASKS_MODULE, "config.yaml": CONFIG_YAML },
  }));
}

/** The Python module of the 0.50 measures (0.50 has no `track_this`). */
export const TASKS_MODULE_050 = "def noop():\n    pass\n";

/** runnable 0.50's service keys; file-system run log store and catalog are its defaults, written out. */
export const CONFIG_YAML_050 = "pipeline-executor:\n  type: local\nrun-log-store:\n  type: file-system\ncatalog:\n  type: file-system\n";

/** A 0.50 step: no success/fail nodes, `command_type` python by default. */
function stepYaml050(name, kind, next, indent = "    ") {
  const body = {
    stub: ["type: stub"],
    shell: ["type: task", "command_type: shell", 'command: "true"'],
    python: ["type: task", "command: bench_tasks.noop"],
  }[kind];
  return `${indent}${name}:\n${[...body, `next: ${next}`].map((line) => `${indent}  ${line}\n`).join("")}`;
}

/** The 2024 measures that 0.50 can run, written in 0.50's dialect (same names, steps and checks). */
export function measures050() {
  const list = [];
  for (const kind of ["stub", "shell", "python"]) {
    for (const count of [10, 100, 1000]) {
      let yaml = "dag:\n  start_at: s0\n  steps:\n";
      for (let i = 0; i < count; i++) yaml += stepYaml050(`s${i}`, kind, i + 1 < count ? `s${i + 1}` : "success");
      list.push({ name: `${kind} chain of ${count}`, perStep: count, files: { "pipeline.yaml": yaml }, steps: count + 1 });
    }
  }
  for (const count of [100, 1000]) {
    const branch = `        start_at: each\n        steps:\n${stepYaml050("each", "stub", "success", "          ")}`;
    const yaml = `dag:\n  start_at: fan\n  steps:\n    fan:\n      type: map\n      iterate_on: items\n      iterate_as: item\n      branch:\n${branch}      next: success\n`;
    const items = Array.from({ length: count }, (_, i) => i);
    list.push({
      name: `map of ${count} items`,
      files: { "pipeline.yaml": yaml, "params.yaml": `items: [${items.join(", ")}]\n` },
      steps: 2,
      branches: { fan: count },
    });
  }
  const hello = "dag:\n  start_at: hello\n  steps:\n    hello:\n      type: task\n      command_type: shell\n      command: echo hello\n      next: success\n";
  list.push({ name: "one-step CLI run", files: { "pipeline.yaml": hello }, steps: 2 });
  return list.map((measure) => ({
    ...measure,
    slug: slugOf(measure.name),
    files: { ...measure.files, "bench_tasks.py": TASKS_MODULE_050, "config.yaml": CONFIG_YAML_050 },
  }));
}

/** The arguments of 0.50's `runnable execute` (the run id goes in RUNNABLE_RUN_ID; runnable-ts reads both). */
export function executeArgs050(measure) {
  return ["pipeline.yaml", "-c", "config.yaml", ...(measure.files["params.yaml"] ? ["-p", "params.yaml"] : [])];
}

/** The arguments of `runnable execute` for a measure (the same for both CLIs). */
export function executeArgs(measure, runId) {
  return ["-f", "pipeline.yaml", "-c", "config.yaml", "--run-id", runId, ...(measure.files["params.yaml"] ? ["-p", "params.yaml"] : [])];
}

/** What is wrong with a run's log (status, step count, branches, metrics), or "" when it is right. */
export function checkRunLog(dir, runId, measure) {
  const file = join(dir, ".run_log_store", `${runId}.json`);
  if (!existsSync(file)) return "no run log";
  const journal = join(dir, ".run_log_store", `${runId}.journal.jsonl`);
  if (existsSync(journal) && statSync(journal).size > 0) return "the run log was not compacted";
  const log = JSON.parse(readFileSync(file, "utf8"));
  if (log.status !== "SUCCESS") return `status ${log.status}`;
  const steps = Object.keys(log.steps ?? {}).length;
  if (steps !== measure.steps) return `${steps} steps, expected ${measure.steps}`;
  for (const [step, count] of Object.entries(measure.branches ?? {})) {
    const found = Object.keys(log.steps[step]?.branches ?? {}).length;
    if (found !== count) return `${found} branches of ${step}, expected ${count}`;
  }
  for (const [step, count] of Object.entries(measure.metrics ?? {})) {
    const found = Object.keys(log.steps[step]?.user_defined_metrics?.value ?? {}).length;
    if (found !== count) return `${found} points of ${step}, expected ${count}`;
  }
  return "";
}
