// Python SDK benchmark of issue 10: `python3 pipeline.py` of a 3-step SDK pipeline (whole process: Python
// start, SDK import, handing the pipeline to the engine, the run) against the same pipeline as YAML
// through `runnable execute`. Target: at most 1.5x.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");
const CLI = join(REPO, "bin", "runnable.js");

const KINDS = {
  shell: {
    sdk: (i) => `Task(name="step ${i}", command="true", command_type="shell")`,
    yaml: () => 'type: task\n      command_type: shell\n      command: "true"',
  },
  python: { sdk: (i) => `Task(name="step ${i}", command="bench_noop.noop")`, yaml: () => "type: task\n      command: bench_noop.noop" },
};

function sdkScript(kind) {
  const steps = [0, 1, 2].map((i) => `s${i} = ${KINDS[kind].sdk(i)}`).join("\n");
  return `from runnable import Pipeline, Task\n${steps}\ns0 >> s1 >> s2\ns2.terminate_with_success = True\ns2.next_node = "success"\nPipeline(steps=[s0, s1, s2], start_at=s0).execute()\n`;
}

function yamlPipeline(kind) {
  const step = (i) => `    step ${i}:\n      ${KINDS[kind].yaml()}\n      next: ${i < 2 ? `step ${i + 1}` : "success"}\n`;
  return `dag:\n  start_at: step 0\n  steps:\n${[0, 1, 2].map(step).join("")}`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timed(command, args, options) {
  const started = performance.now();
  execFileSync(command, args, { ...options, stdio: "ignore" });
  return performance.now() - started;
}

/** Prints the SDK-vs-YAML figures (never fails on timing). */
export async function pythonSdkBenchmarks() {
  if (spawnSync("python3", ["-c", "pass"]).status !== 0) {
    console.log("Python SDK benchmark skipped: python3 not found");
    return;
  }
  // the interpreter python3 resolves to (pyenv's shim alone costs ~100 ms a start), as a virtualenv's would be
  const python = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), "runnable-sdkbench-"));
  const env = { ...process.env, NO_COLOR: "1", PYTHONPATH: join(REPO, "python"), RUNNABLE_PYTHON: python };
  try {
    writeFileSync(join(dir, "bench_noop.py"), "def noop():\n    pass\n");
    for (const kind of Object.keys(KINDS)) {
      writeFileSync(join(dir, `${kind}.py`), sdkScript(kind));
      writeFileSync(join(dir, `${kind}.yaml`), yamlPipeline(kind));
      const options = { cwd: dir, env };
      timed(python, [`${kind}.py`], options); // warm-up
      timed(process.execPath, [CLI, "execute", "-f", `${kind}.yaml`], options);
      const sdk = median(Array.from({ length: 7 }, () => timed(python, [`${kind}.py`], options)));
      const yaml = median(Array.from({ length: 7 }, () => timed(process.execPath, [CLI, "execute", "-f", `${kind}.yaml`], options)));
      const viaCli = median(Array.from({ length: 5 }, () => timed(process.execPath, [CLI, "execute", "-f", `${kind}.py`], options)));
      report({
        id: `python-sdk.${kind}.vs-yaml`,
        label: `python SDK, 3 ${kind} steps: python3 pipeline.py against runnable execute -f pipeline.yaml`,
        value: sdk / yaml,
        unit: "x",
        target: "<= 1.5",
        note: `${sdk.toFixed(0)} ms against ${yaml.toFixed(0)} ms; runnable execute -f pipeline.py ${viaCli.toFixed(0)} ms (${(viaCli / yaml).toFixed(2)}x)`,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
