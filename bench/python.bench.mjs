// Python and notebook task benchmarks of issues 5 and 14: ms per step of a chain of 100 no-op Python
// functions (a warm worker per run: target <= 10 ms/step), beside a bare interpreter start, and a no-op
// notebook step against a bare `jupyter nbconvert --execute`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline, task } from "../dist/index.js";
import { report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");
const quiet = { warn: () => {} };
const env = { ...process.env, NO_COLOR: "1" };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function withDir(run) {
  const dir = mkdtempSync(join(tmpdir(), "runnable-pybench-"));
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function available(command, args) {
  return spawnSync(command, args, { stdio: "ignore" }).status === 0;
}

/** Milliseconds per step of a chain of `count` no-op Python function steps (SDK, file-system store). */
async function pythonChain(count) {
  const dir = mkdtempSync(join(tmpdir(), "runnable-pybench-"));
  try {
    writeFileSync(join(dir, "bench_noop.py"), "def noop():\n    pass\n");
    const steps = Array.from({ length: count }, (_, i) => task({ name: `step ${i}`, command: "bench_noop.noop", commandType: "python" }));
    const started = performance.now();
    const log = await pipeline({ name: "python-chain", steps }).execute({ cwd: dir, env, ...quiet });
    if (log.status !== "SUCCESS") throw new Error("the python chain failed");
    return (performance.now() - started) / count;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function barePython(count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) spawnSync("python3", ["-c", "pass"], { env });
  return (performance.now() - started) / count;
}

const NOTEBOOK = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
  cells: [{ cell_type: "code", id: "noop", metadata: {}, execution_count: null, outputs: [], source: "pass" }],
});
const NOTEBOOK_YAML =
  "dag:\n  start_at: notebook\n  steps:\n    notebook:\n      type: task\n      command_type: notebook\n      command: noop.ipynb\n      next: success\n    success:\n      type: success\n    fail:\n      type: fail\n";

function timeNotebook(command, args) {
  return withDir((dir) => {
    writeFileSync(join(dir, "noop.ipynb"), NOTEBOOK);
    writeFileSync(join(dir, "nb.yaml"), NOTEBOOK_YAML);
    const started = performance.now();
    execFileSync(command, args, { cwd: dir, env, stdio: "ignore" });
    return performance.now() - started;
  });
}

/** Prints the Python benchmark figures (never fails on timing). */
export async function pythonBenchmarks() {
  if (!available("python3", ["-c", "pass"])) {
    console.log("Python benchmarks skipped: python3 not found");
    return;
  }
  await pythonChain(3); // warm-up (module caches, interpreter pages)
  const steps = 100;
  const perStep = median([await pythonChain(steps), await pythonChain(steps), await pythonChain(steps)]);
  const bare = median([barePython(20), barePython(20), barePython(20)]);
  report({
    id: "python.chain-100",
    label: `Python no-op function chain of ${steps} (warm worker)`,
    value: perStep,
    unit: "ms/step",
    target: "<= 10",
    note: `bare 'python3 -c pass' ${bare.toFixed(1)} ms per start`,
  });

  const nbconvert = ["jupyter-nbconvert", "/usr/bin/jupyter-nbconvert"].find((c) => (c.includes("/") ? existsSync(c) : available(c, ["--version"])));
  if (!nbconvert) {
    console.log("Notebook benchmark skipped: jupyter-nbconvert not found (apt-get install jupyter-nbconvert)");
    return;
  }
  const runnable = () => timeNotebook(process.execPath, [join(REPO, "bin/runnable.js"), "execute", "-f", "nb.yaml", "--quiet"]);
  const bareNb = () => timeNotebook(nbconvert, ["--to", "notebook", "--execute", "noop.ipynb", "--output", "noop_nbconvert.ipynb"]);
  runnable();
  bareNb();
  const ours = median([runnable(), runnable(), runnable(), runnable(), runnable()]);
  const theirs = median([bareNb(), bareNb(), bareNb(), bareNb(), bareNb()]);
  report({
    id: "python.notebook-vs-nbconvert",
    label: "No-op notebook step, whole 'runnable execute' process, against bare 'jupyter nbconvert --to notebook --execute'",
    value: ours / theirs,
    unit: "x",
    target: "<= 1.2",
    note: `${ours.toFixed(0)} ms against ${theirs.toFixed(0)} ms`,
  });
}
