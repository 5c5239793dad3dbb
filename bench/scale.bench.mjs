// Scale benchmarks of issue 14 (absolute figures; `npm run bench:vs-runnable` compares with runnable):
// stub chains of 1,000 / 10,000 / 100,000 steps and `validate` of 10,000 through the CLI, maps nested
// 100 deep, 10,000- and 100,000-item maps of no-op TypeScript tasks, 1,000,000 track() points, one-step
// CLI start. Each measure runs in its own process (time and peak RSS); the median of `repeats` is kept.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { report } from "./report.mjs";

const SELF = fileURLToPath(import.meta.url);
const REPO = resolve(import.meta.dirname, "..");
const CLI = join(REPO, "bin/runnable.js");

/** A chain of `count` stub steps as YAML. */
function stubChain(count) {
  const lines = ["dag:", "  start_at: s0", "  steps:"];
  for (let i = 0; i < count; i++) lines.push(`    s${i}:`, "      type: stub", `      next: ${i < count - 1 ? `s${i + 1}` : "success"}`);
  return `${lines.join("\n")}\n`;
}

/** Maps nested `depth` deep, each over one item, with a stub at the bottom. */
function nestedMaps(depth) {
  const pad = (level) => "  ".repeat(level);
  const lines = ["dag:", "  start_at: m0", "  steps:"];
  const open = (i, at) => {
    lines.push(
      `${pad(at)}m${i}:`,
      `${pad(at + 1)}type: map`,
      `${pad(at + 1)}iterate_on: items`,
      `${pad(at + 1)}iterate_as: item${i}`,
      `${pad(at + 1)}next: success`,
    );
    lines.push(`${pad(at + 1)}branch:`, `${pad(at + 2)}start_at: ${i + 1 < depth ? `m${i + 1}` : "leaf"}`, `${pad(at + 2)}steps:`);
    if (i + 1 < depth) open(i + 1, at + 3);
    else lines.push(`${pad(at + 3)}leaf:`, `${pad(at + 4)}type: stub`, `${pad(at + 4)}next: success`);
  };
  open(0, 2);
  return `${lines.join("\n")}\n`;
}

/** Runs `args` in a fresh process in `dir`; returns wall seconds and peak RSS (MB) of that process. */
function processRun(dir, args, env = {}) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [SELF, "--measure", ...args], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  const seconds = (performance.now() - started) / 1000;
  const figures = /^BENCH (.+)$/m.exec(run.stderr ?? "");
  if (run.status !== 0 || !figures) throw new Error(`benchmark ${args.join(" ")} failed (exit ${run.status}):\n${run.stderr}`);
  return { seconds, ...JSON.parse(figures[1]) };
}

function median(results, field) {
  const sorted = [...results].sort((a, b) => a[field] - b[field]);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(scratch, repeats, prepare, args) {
  const results = [];
  for (let i = 0; i < repeats; i++) {
    const dir = mkdtempSync(join(scratch, "run-"));
    prepare(dir);
    results.push(processRun(dir, args));
  }
  return median(results, "seconds");
}

export async function scaleBenchmarks() {
  const scratch = mkdtempSync(join(tmpdir(), "runnable-bench-scale-"));
  try {
    const write = (name, text) => (dir) => writeFileSync(join(dir, name), text);
    const one = measure(scratch, 7, write("p.yaml", stubChain(1)), ["cli", "execute", "-f", "p.yaml", "--quiet"]);
    report({
      id: "scale.cli-one-step",
      label: "one-step CLI run (stub), whole process",
      value: one.seconds * 1000,
      unit: "ms",
      target: "<= 150",
      note: `${one.rssMB.toFixed(0)} MB`,
    });
    for (const [count, target, repeats] of [
      [1000, 0.5, 3],
      [10_000, 2, 3],
      [100_000, 15, 1],
    ]) {
      const r = measure(scratch, repeats, write("p.yaml", stubChain(count)), ["cli", "execute", "-f", "p.yaml", "--quiet"]);
      const label = `stub chain of ${count.toLocaleString("en")}, whole process`;
      report({ id: `scale.stub-chain-${count}`, label, value: r.seconds, unit: "s", target: `<= ${target}`, note: `${r.rssMB.toFixed(0)} MB` });
    }
    const validate = measure(scratch, 3, write("p.yaml", stubChain(10_000)), ["cli", "validate", "p.yaml"]);
    report({
      id: "scale.validate-10000",
      label: "validate of a 10,000-step chain, whole process",
      value: validate.seconds,
      unit: "s",
      target: "<= 0.4",
      note: `${validate.rssMB.toFixed(0)} MB`,
    });
    const nested = measure(
      scratch,
      3,
      (dir) => {
        write("p.yaml", nestedMaps(100))(dir);
        write("params.yaml", "items: [1]\n")(dir);
      },
      ["cli", "execute", "-f", "p.yaml", "--parameters-file", "params.yaml", "--quiet"],
    );
    report({
      id: "scale.nested-maps-100",
      label: "maps nested 100 deep (one item each), execute whole process",
      value: nested.seconds,
      unit: "s",
      note: `${nested.rssMB.toFixed(0)} MB`,
    });
    for (const [items, store, seconds, mb] of [
      [10_000, "file-system", 1.2, 300],
      [10_000, "chunked-fs", 2.5, 300],
      [100_000, "file-system", 15, 600],
    ]) {
      const r = measure(scratch, items > 10_000 ? 1 : 3, () => {}, ["map", String(items), store]);
      const label = `${items.toLocaleString("en")}-item map of no-op TypeScript tasks, ${store}`;
      const id = `scale.map-${items}-${store}`;
      report({ id, label: `${label}, run`, value: r.runSeconds, unit: "s", target: `<= ${seconds}`, note: `process ${r.seconds.toFixed(2)} s` });
      report({ id: `${id}.rss`, label: `${label}, peak RSS`, value: r.rssMB, unit: "MB", target: `<= ${mb}` });
    }
    const tracks = measure(scratch, 3, () => {}, ["track"]);
    const what = "1,000,000 track() points in one TypeScript step";
    report({
      id: "scale.track-million",
      label: `${what}, run`,
      value: tracks.runSeconds,
      unit: "s",
      target: "<= 2.5",
      note: `${tracks.inTaskSeconds.toFixed(2)} s in the task, run log ${tracks.logMB.toFixed(1)} MB`,
    });
    report({ id: "scale.track-million.rss", label: `${what}, peak RSS`, value: tracks.rssMB, unit: "MB", target: "<= 300" });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** In the measured process: reports figures on stderr as `BENCH {json}` when the process exits. */
async function measured(kind, args) {
  const extra = {};
  process.on("exit", () => process.stderr.write(`BENCH ${JSON.stringify({ rssMB: process.resourceUsage().maxRSS / 1024, ...extra })}\n`));
  if (kind === "cli") {
    process.argv = [process.argv[0], CLI, ...args];
    await import(CLI);
  } else if (kind === "map") {
    Object.assign(extra, await mapRun(Number(args[0]), args[1]));
  } else if (kind === "track") {
    Object.assign(extra, await trackRun());
  }
}

async function mapRun(items, store) {
  const { map, pipeline, typescript } = await import("../dist/index.js");
  const { executePipeline } = await import("../dist/runtime/execute.js");
  const { serialiseGraph } = await import("../dist/definition/serialise.js");
  const noop = pipeline({ steps: [typescript({ name: "noop", function: () => undefined })] });
  const steps = [
    typescript({ name: "list", function: () => ({ items: Array.from({ length: items }, (_, i) => i) }) }),
    map({ name: "each", iterateOn: "items", iterateAs: "item", branch: noop }),
  ];
  writeFileSync("config.yaml", JSON.stringify({ run_log_store: { type: store }, catalog: { type: "do-nothing" } }));
  const { graph } = pipeline({ name: "bench", steps }).build();
  const source = { kind: "graph", graph, serialised: serialiseGraph(graph), name: "bench", file: null };
  const started = performance.now();
  const result = await executePipeline({ source, cwd: process.cwd(), env: { PATH: process.env.PATH }, configFile: "config.yaml", warn: () => {} });
  if (result.status !== "SUCCESS") throw new Error(`map run ${result.runId} ended ${result.status}`);
  return { runSeconds: (performance.now() - started) / 1000 };
}

async function trackRun() {
  const { runMillionTracks } = await import("./tracking.bench.mjs");
  const { status, inTaskMs, totalMs, logBytes } = await runMillionTracks(process.cwd());
  if (status !== "SUCCESS") throw new Error(`track run ended ${status}`);
  return { runSeconds: totalMs / 1000, inTaskSeconds: inTaskMs / 1000, logMB: logBytes / 1e6 };
}

if (process.argv[2] === "--measure") await measured(process.argv[3], process.argv.slice(4));
else if (process.argv[1] === SELF) await scaleBenchmarks();
