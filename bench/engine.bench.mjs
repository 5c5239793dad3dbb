// Engine benchmarks of issue 2: per-step cost of TypeScript and shell chains, and CLI start-up.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline, shell, typescript } from "../dist/index.js";

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

export async function engineBenchmarks() {
  const noop = (i) => typescript({ name: `step ${i}`, function: () => undefined });
  await measure("warm-up", 1, (dir) => chain(50, noop, dir));
  const ts100 = (await measure("ts100", 3, (dir) => chain(100, noop, dir))) / 100;
  const ts1000 = (await measure("ts1000", 3, (dir) => chain(1000, noop, dir))) / 1000;
  console.log(
    `TypeScript no-op chain, file-system store: 100 steps ${ts100.toFixed(3)} ms/step, 1,000 steps ${ts1000.toFixed(3)} ms/step (target <= 2 ms), ratio ${(ts1000 / ts100).toFixed(2)} (target <= 1.5)`,
  );

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
  console.log(
    `TypeScript module no-op chain of 1,000: ${inWorker.toFixed(3)} ms/step in worker threads, ${inThread.toFixed(3)} ms/step on the CLI's thread: +${(inWorker - inThread).toFixed(3)} ms/step (target <= 1 ms)`,
  );

  const spawnStart = performance.now();
  for (let i = 0; i < 100; i++) spawnSync("/bin/sh", ["-c", "true"]);
  const bare = (performance.now() - spawnStart) / 100;
  const sh100 = (await measure("sh100", 3, (dir) => chain(100, (i) => shell({ name: `step ${i}`, command: "true" }), dir))) / 100;
  const bareAsync = median([await spawnLoop(100), await spawnLoop(100), await spawnLoop(100)]);
  console.log(
    `Shell 'true' chain of 100: ${sh100.toFixed(2)} ms/step; bare 'sh -c true' ${bare.toFixed(2)} ms (spawnSync), ${bareAsync.toFixed(2)} ms ` +
      `(spawn, own group, piped); overhead above the latter ${(sh100 - bareAsync).toFixed(2)} ms/step (target <= 1 ms; the TypeScript no-op step above is part of it)`,
  );

  const cli = await measure("cli", 5, (dir) => {
    writeFileSync(
      join(dir, "p.yaml"),
      "dag:\n  start_at: hello\n  steps:\n    hello:\n      type: task\n      command_type: shell\n      command: echo hello\n      next: success\n",
    );
    const started = performance.now();
    execFileSync(process.execPath, [join(REPO, "bin/runnable.js"), "execute", "-f", "p.yaml", "--quiet"], { cwd: dir, stdio: "ignore" });
    return performance.now() - started;
  });
  console.log(`runnable execute of a one-step YAML pipeline, whole process: ${cli.toFixed(0)} ms wall (target <= 500 ms)`);
}
