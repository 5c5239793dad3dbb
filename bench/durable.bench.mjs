// Durable-run benchmarks of issue 8: `runnable retry` of a 10,000-item map with 10 failed items, and a
// step writing 1 GB to stdout (peak RSS of the CLI, time against `cat` into a file).
import { runnableInvocation } from "./cli-command.mjs";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");
const CLI = join(REPO, "bin/runnable.js");
const GB = 1024 * 1024 * 1024;

/** Runs a command; returns wall seconds and peak RSS (MB) from GNU time. */
function timed(command, args, cwd) {
  const started = performance.now();
  const run = spawnSync("/usr/bin/time", ["-f", "%M", command, ...args], { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  const rssMB = Number(run.stderr.trim().split("\n").at(-1)) / 1024;
  return { seconds, rssMB, status: run.status, stderr: run.stderr };
}

/** `timed` of `runnable ...args` started as users start it (bench/cli-command.mjs: the start-up snapshot). */
function timedRunnable(dir, ...args) {
  const { command, args: all } = runnableInvocation(...args);
  return timed(command, all, dir);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function retryMap(scratch) {
  const dir = mkdtempSync(join(scratch, "retry-"));
  const module = [
    `import { existsSync } from "node:fs";`,
    `import { map, pipeline, typescript } from ${JSON.stringify(join(REPO, "dist/index.js"))};`,
    "const work = pipeline({ steps: [typescript({ name: 'work', function: ({ item }) => { if (item % 1000 === 7 && !existsSync('fixed')) throw new Error('not yet'); } })] });",
    "export default pipeline({ steps: [",
    "  typescript({ name: 'list', function: () => ({ items: Array.from({ length: 10_000 }, (_, i) => i) }) }),",
    "  map({ name: 'each', iterateOn: 'items', iterateAs: 'item', branch: work }),",
    "] });",
  ].join("\n");
  writeFileSync(join(dir, "map.mjs"), module);
  writeFileSync(join(dir, "config.yaml"), "catalog:\n  type: do-nothing\n");
  const first = spawnSync(process.execPath, [CLI, "execute", "-f", "map.mjs", "-c", "config.yaml", "--run-id", "r", "-q"], { cwd: dir, encoding: "utf8" });
  if (first.status !== 1) throw new Error(`the first run should fail: ${first.stderr}`);
  writeFileSync(join(dir, "fixed"), "");
  const retry = timedRunnable(dir, "retry", "r", "-q");
  if (retry.status !== 0) throw new Error(`retry failed: ${retry.stderr}`);
  // The CLI's own start-up and a one-step run, to see what the retry adds.
  writeFileSync(join(dir, "one.yaml"), "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      next: success\n");
  const baseline = timedRunnable(dir, "execute", "-f", "one.yaml", "-c", "config.yaml", "-q");
  return { retry: retry.seconds, rssMB: retry.rssMB, baseline: baseline.seconds };
}

function bigOutput(scratch) {
  const dir = mkdtempSync(join(scratch, "output-"));
  const produce = `head -c ${GB} /dev/zero`;
  writeFileSync(
    join(dir, "big.yaml"),
    `dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: "${produce}"\n      next: success\n`,
  );
  const step = timed(process.execPath, [CLI, "execute", "-f", "big.yaml", "-q"], dir);
  if (step.status !== 0) throw new Error(`the 1 GB step failed: ${step.stderr}`);
  const cat = timed("/bin/sh", ["-c", `${produce} | cat > out.bin`], dir);
  rmSync(join(dir, ".catalog"), { recursive: true, force: true });
  return { seconds: step.seconds, rssMB: step.rssMB, cat: cat.seconds };
}

export async function durableBenchmarks() {
  const scratch = mkdtempSync(join(tmpdir(), "runnable-bench-durable-"));
  try {
    const retries = [retryMap(scratch), retryMap(scratch), retryMap(scratch)];
    const r = { retry: median(retries.map((x) => x.retry)), baseline: median(retries.map((x) => x.baseline)), rssMB: median(retries.map((x) => x.rssMB)) };
    const retryWhat = "runnable retry of a 10,000-item map with 10 failed items (file-system store, whole process)";
    report({ id: "durable.retry-10000", label: retryWhat, value: r.retry, unit: "s", note: `a one-step run takes ${r.baseline.toFixed(2)} s` });
    report({ id: "durable.retry-10000.above-one-step", label: `${retryWhat}, above a one-step run`, value: r.retry - r.baseline, unit: "s", target: "<= 1" });
    report({ id: "durable.retry-10000.rss", label: `${retryWhat}, peak RSS`, value: r.rssMB, unit: "MB" });
    const outputs = [bigOutput(scratch), bigOutput(scratch)];
    const o = { seconds: median(outputs.map((x) => x.seconds)), rssMB: Math.max(...outputs.map((x) => x.rssMB)), cat: median(outputs.map((x) => x.cat)) };
    const ratio = o.seconds / o.cat;
    const what = "a step writing 1 GB to stdout";
    report({
      id: "durable.stdout-1gb.ratio",
      label: `${what}, against 'cat' into a file`,
      value: ratio,
      unit: "x",
      target: "<= 1.5",
      note: `${o.seconds.toFixed(2)} s against ${o.cat.toFixed(2)} s`,
    });
    report({ id: "durable.stdout-1gb.rss", label: `${what}, CLI peak RSS`, value: o.rssMB, unit: "MB", target: "<= 150" });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
