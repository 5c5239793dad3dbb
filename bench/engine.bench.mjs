// Engine benchmarks of issue 2: per-step cost of TypeScript and shell chains, and CLI start-up.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline, shell, typescript } from "../dist/index.js";
import { report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");
const quiet = { warn: () => {} };

async function chain(count, makeStep, cwd) {
  const steps = Array.from({ length: count }, (_, i) => makeStep(i));
  const started = performance.now();
  const log = await pipeline({ name: `chain-${count}`, steps }).execute({ cwd, env: {}, ...quiet });
  const elapsed = performance.now() - started;
  if (log.status !== "SUCCESS") throw new Error(`chain of ${count} failed`);
  return elapsed;
}

/** ms per `sh -c true` started the way task processes are (own process group, both outputs piped). */
async function spawnLoop(count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await new Promise((done) => {
      const child = spawn("/bin/sh", ["-c", "true"], { stdio: ["ignore", "pipe", "pipe"], detached: true });
      child.stdout.resume();
      child.stderr.resume();
      child.on("close", done);
    });
  }
  return (performance.now() - started) / count;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs each measurement in a fresh folder, best of `repeats` by median. */
async function measure(_label, repeats, run) {
  const results = [];
  for (let i = 0; i < repeats; i++) {
    const dir = mkdtempSync(join(tmpdir(), "runnable-bench-"));
    try {
      results.push(await run(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return median(results);
}

/** Prints the engine figures (never fails on timing). */
export async function engineBenchmarks() {
  const noop = (i) => typescript({ name: `step ${i}`, function: () => undefined });
  await measure("warm-up", 1, (dir) => chain(50, noop, dir));
  const ts100 = (await measure("ts100", 3, (dir) => chain(100, noop, dir))) / 100;
  const ts1000 = (await measure("ts1000", 3, (dir) => chain(1000, noop, dir))) / 1000;
  report({ id: "engine.ts-chain-100", label: "TypeScript no-op chain of 100, file-system store", value: ts100, unit: "ms/step", target: "<= 2" });
  report({ id: "engine.ts-chain-1000", label: "TypeScript no-op chain of 1,000, file-system store", value: ts1000, unit: "ms/step", target: "<= 1" });
  report({
    id: "engine.ts-chain-linearity",
    label: "TypeScript no-op chain, 1,000 steps against 100 per step",
    value: ts1000 / ts100,
    unit: "x",
    target: "<= 1.5",
  });

  // Issue 19: module tasks run in warm worker threads (stoppable whatever they do); the same chain on
  // the CLI's thread (`task_runners: {typescript: {worker_threads: false}}`) is what they cost before.
  const moduleStep = (i) => typescript({ name: `step ${i}`, command: "tasks.mjs#noop" });
  const moduleChain = (threads) => async (dir) => {
    writeFileSync(join(dir, "tasks.mjs"), "export function noop() {}\n");
    writeFileSync(join(dir, "c.yaml"), `task_runners:\n  typescript:\n    worker_threads: ${threads}\n`);
    const steps = Array.from({ length: 1000 }, (_, i) => moduleStep(i));
    const started = performance.now();
    const log = await pipeline({ name: "module-chain", steps }).execute({ cwd: dir, env: {}, configFile: join(dir, "c.yaml"), ...quiet });
    if (log.status !== "SUCCESS") throw new Error("module chain failed");
    return (performance.now() - started) / 1000;
  };
  await measure("warm-up", 1, moduleChain(true));
  const inThread = await measure("module-here", 3, moduleChain(false));
  const inWorker = await measure("module-worker", 3, moduleChain(true));
  report({
    id: "engine.module-worker-overhead",
    label: "TypeScript module no-op chain of 1,000, worker threads above the CLI's thread",
    value: inWorker - inThread,
    unit: "ms/step",
    target: "<= 1",
    note: `${inWorker.toFixed(3)} ms/step in worker threads, ${inThread.toFixed(3)} on the CLI's thread`,
  });

  const spawnStart = performance.now();
  for (let i = 0; i < 100; i++) spawnSync("/bin/sh", ["-c", "true"]);
  const bare = (performance.now() - spawnStart) / 100;
  const sh100 = (await measure("sh100", 3, (dir) => chain(100, (i) => shell({ name: `step ${i}`, command: "true" }), dir))) / 100;
  const bareAsync = median([await spawnLoop(100), await spawnLoop(100), await spawnLoop(100)]);
  report({ id: "engine.shell-chain-100", label: "Shell 'true' chain of 100", value: sh100, unit: "ms/step" });
  report({
    id: "engine.shell-overhead",
    label: "Shell 'true' step overhead above node spawning 'sh -c true' (own group, piped)",
    value: sh100 - bareAsync,
    unit: "ms/step",
    target: "<= 1",
    note: `bare spawn ${bareAsync.toFixed(2)} ms, spawnSync ${bare.toFixed(2)} ms; the TypeScript no-op step above is part of it`,
  });

  const cli = await measure("cli", 5, (dir) => {
    writeFileSync(
      join(dir, "p.yaml"),
      "dag:\n  start_at: hello\n  steps:\n    hello:\n      type: task\n      command_type: shell\n      command: echo hello\n      next: success\n",
    );
    const started = performance.now();
    execFileSync(process.execPath, [join(REPO, "bin/runnable.js"), "execute", "-f", "p.yaml", "--quiet"], { cwd: dir, stdio: "ignore" });
    return performance.now() - started;
  });
  report({ id: "engine.cli-one-step", label: "runnable execute of a one-step YAML pipeline, whole process", value: cli, unit: "ms", target: "<= 150" });
}
