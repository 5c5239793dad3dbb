// Composite benchmarks of issue 4: a map over 1,000 and 10,000 no-op TypeScript tasks per run log store
// (time and peak RSS, each run in its own process), and the speed-up of parallel shell branches.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { report } from "./report.mjs";

const SELF = fileURLToPath(import.meta.url);
const TARGET = { seconds: 10, rssMB: 400, ratio: 12, parallelSeconds: 1 };

/**
 * Runs one pipeline the way `runnable execute` does (prepare, run, flush) in `dir`. The parent removes
 * the folders only after all measurements: deleting tens of thousands of files slows the file system
 * for a while afterwards, which would bleed into the next measurement.
 */
async function runIn(dir, config, steps) {
  const { pipeline } = await import("../dist/index.js");
  const { executePipeline } = await import("../dist/runtime/execute.js");
  const { serialiseGraph } = await import("../dist/definition/serialise.js");
  writeFileSync(join(dir, "config.yaml"), JSON.stringify(config));
  const { graph } = pipeline({ name: "bench", steps }).build();
  const source = { kind: "graph", graph, serialised: serialiseGraph(graph), name: "bench", file: null };
  const started = performance.now();
  const result = await executePipeline({ source, cwd: dir, env: { PATH: process.env.PATH }, configFile: join(dir, "config.yaml"), warn: () => {} });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== "SUCCESS") throw new Error(`benchmark run ${result.runId} ended ${result.status}`);
  return seconds;
}

/** Child process: a map over `items` no-op TypeScript tasks; prints its time and peak RSS as JSON. */
async function mapChild(dir, items, store, catalog, limit) {
  const { map, pipeline, typescript } = await import("../dist/index.js");
  const noop = pipeline({ steps: [typescript({ name: "noop", function: () => undefined })] });
  const steps = [
    typescript({ name: "list", function: () => ({ items: Array.from({ length: items }, (_, i) => i) }) }),
    map({ name: "each", iterateOn: "items", iterateAs: "item", branch: noop }),
  ];
  const executor = { type: "local", config: limit > 1 ? { enable_parallel: true, max_parallel: limit } : {} };
  const seconds = await runIn(dir, { executor, run_log_store: { type: store }, catalog: { type: catalog } }, steps);
  console.log(JSON.stringify({ seconds, rssMB: process.resourceUsage().maxRSS / 1024 }));
}

/** Child process: 8 branches of `sleep 0.5` with the given limit. */
async function parallelChild(dir, limit) {
  const { map, pipeline, shell, typescript } = await import("../dist/index.js");
  const sleep = pipeline({ steps: [shell({ name: "sleep", command: "sleep 0.5" })] });
  const steps = [
    typescript({ name: "list", function: () => ({ items: Array.from({ length: 8 }, (_, i) => i) }) }),
    map({ name: "sleepers", iterateOn: "items", iterateAs: "item", branch: sleep }),
  ];
  const config = {
    executor: { type: "local", config: { enable_parallel: true, max_parallel: limit } },
    run_log_store: { type: "file-system" },
    catalog: { type: "do-nothing" },
  };
  const seconds = await runIn(dir, config, steps);
  console.log(JSON.stringify({ seconds, rssMB: process.resourceUsage().maxRSS / 1024 }));
}

function child(scratch, ...args) {
  const dir = mkdtempSync(join(scratch, "run-"));
  const started = performance.now();
  const run = spawnSync(process.execPath, [SELF, "--child", dir, ...args.map(String)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`benchmark child ${args.join(" ")} failed:\n${run.stderr}`);
  const figures = JSON.parse(run.stdout.trim().split("\n").at(-1));
  return { ...figures, wall: (performance.now() - started) / 1000 };
}

export async function compositeBenchmarks() {
  const scratch = mkdtempSync(join(tmpdir(), "runnable-bench-"));
  try {
    return measureAll(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function measureAll(scratch) {
  const rows = [];
  for (const catalog of ["do-nothing", "file-system"]) {
    for (const store of ["chunked-fs", "file-system"]) {
      const small = child(scratch, "map", 1000, store, catalog, 1);
      const large = child(scratch, "map", 10000, store, catalog, 1);
      const parallel = child(scratch, "map", 10000, store, catalog, 8);
      const ratio = large.seconds / small.seconds;
      rows.push({ store, catalog, small, large, parallel, ratio });
      const id = `composite.map-${store}-${catalog}`;
      const what = `map of no-op TypeScript tasks, ${store} store, ${catalog} catalog`;
      report({ id: `${id}.1000`, label: `${what}, 1,000 items`, value: small.seconds, unit: "s", note: `${small.rssMB.toFixed(0)} MB peak RSS` });
      report({
        id: `${id}.10000`,
        label: `${what}, 10,000 items`,
        value: large.seconds,
        unit: "s",
        target: `<= ${TARGET.seconds}`,
        note: `process wall ${large.wall.toFixed(2)} s`,
      });
      report({ id: `${id}.10000.rss`, label: `${what}, 10,000 items, peak RSS`, value: large.rssMB, unit: "MB", target: `<= ${TARGET.rssMB}` });
      report({ id: `${id}.linearity`, label: `${what}, 10,000 against 1,000 items`, value: ratio, unit: "x", target: `<= ${TARGET.ratio}` });
      report({
        id: `${id}.10000-parallel`,
        label: `${what}, 10,000 items with enable_parallel, max_parallel 8`,
        value: parallel.seconds,
        unit: "s",
        note: `${parallel.rssMB.toFixed(0)} MB`,
      });
    }
  }
  const fast = child(scratch, "parallel", 8);
  report({
    id: "composite.parallel-sleep",
    label: "8 branches of 'sleep 0.5' (shell) with max_parallel 8 (sequential would be 4 s)",
    value: fast.seconds,
    unit: "s",
    target: `<= ${TARGET.parallelSeconds}`,
  });
  return { maps: rows, parallel: fast };
}

if (process.argv[2] === "--child") {
  const [dir, kind, ...args] = process.argv.slice(3);
  if (kind === "map") await mapChild(dir, Number(args[0]), args[1], args[2], Number(args[3]));
  else await parallelChild(dir, Number(args[0]));
} else if (process.argv[1] === SELF) {
  await compositeBenchmarks();
}
