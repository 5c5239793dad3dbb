// Executor benchmarks of issue 9: `runnable execute-single-node` of a no-op TypeScript step (what a
// pod pays per step), and the local-container overhead per step above a bare `podman run --rm IMAGE true`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");
const CLI = join(REPO, "bin/runnable.js");
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timed(command, args, options) {
  const started = performance.now();
  const run = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 24, ...options });
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${run.status}): ${run.stderr}`);
  return performance.now() - started;
}

function singleNode() {
  const dir = mkdtempSync(join(tmpdir(), "runnable-bench-single-"));
  try {
    const steps = 10;
    writeFileSync(join(dir, "noop.mjs"), "export function noop() {}\n");
    const yaml = Array.from(
      { length: steps },
      (_, i) =>
        `    s${i}:\n      type: task\n      command_type: javascript\n      command: noop.mjs#noop\n      next: ${i + 1 < steps ? `s${i + 1}` : "success"}\n`,
    ).join("");
    writeFileSync(join(dir, "chain.yaml"), `dag:\n  start_at: s0\n  steps:\n${yaml}`);
    const times = [];
    for (let i = 0; i < steps; i++) times.push(timed(process.execPath, [CLI, "execute-single-node", "bench-run", `s${i}`, "-f", "chain.yaml"], { cwd: dir }));
    return median(times.slice(1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function podmanReady() {
  try {
    execFileSync("podman", ["--version"], { stdio: "ignore" });
    return existsSync(join(REPO, ".cache/podman/containers.conf"));
  } catch {
    return false;
  }
}

function localContainer() {
  const env = { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? join(REPO, ".cache/podman/containers.conf") };
  const image = execFileSync("bash", [join(REPO, "scripts/build-test-image.sh")], { env, encoding: "utf8" })
    .trim()
    .split("\n")
    .at(-1);
  const bare = [];
  const limits = ["--ulimit", "nofile=1024:20000", "--ulimit", "nproc=4096:4096"];
  for (let i = 0; i < 6; i++) bare.push(timed("podman", ["run", "--rm", "--network=host", ...limits, image, "true"], { env }));
  const dir = mkdtempSync(join(tmpdir(), "runnable-bench-container-"));
  try {
    symlinkSync(join(REPO, "examples"), join(dir, "examples"));
    const steps = 5;
    const total = timed(process.execPath, [CLI, "execute", "-f", "examples/contract/true-chain.yaml", "-c", "examples/configs/local-container.yaml", "-q"], {
      cwd: dir,
      env: { ...env, RUNNABLE_VAR_default_docker_image: image },
    });
    const local = timed(process.execPath, [CLI, "execute", "-f", "examples/contract/true-chain.yaml", "-q"], { cwd: dir, env });
    return { bare: median(bare.slice(1)), perStep: (total - local) / steps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function executorBenchmarks() {
  const single = singleNode();
  report({
    id: "executors.single-node",
    label: "runnable execute-single-node of a no-op TypeScript step, whole process (median of 9)",
    value: single,
    unit: "ms",
    target: "<= 150",
  });
  if (!podmanReady()) {
    console.log("local-container overhead: skipped (podman missing: run scripts/setup-podman.sh)");
    return;
  }
  const { bare, perStep } = localContainer();
  const overhead = perStep - bare;
  report({
    id: "executors.local-container-overhead",
    label: "local-container step (shell 'true') overhead above bare 'podman run --rm IMAGE true'",
    value: overhead,
    unit: "ms/step",
    target: "<= 100",
    note: `${perStep.toFixed(0)} ms per step above the same run with local; bare podman ${bare.toFixed(0)} ms`,
  });
}
