// Benchmarks of issue 21 (runnable 0.50's conditional and loop steps): a loop of 10,000 iterations of a
// stub on the file-system store (whole run time and peak RSS, and 1,000 and 5,000 iterations to show
// the growth is linear), and a conditional inside a 1,000-item map against the same map without it.
// Each run is in its own process, run the way `runnable execute` runs a pipeline built in code; its wall
// time and its CPU time (user + system: the fairer comparison on a machine shared with other work).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { report } from "./report.mjs";

const SELF = fileURLToPath(import.meta.url);
const TARGET = { loopSeconds: 3, loopRssMB: 300, conditionalRatio: 1.2 };

async function runIn(dir, steps) {
  const { pipeline } = await import("../dist/index.js");
  const { executePipeline } = await import("../dist/runtime/execute.js");
  const { serialiseGraph } = await import("../dist/definition/serialise.js");
  const config = { executor: { type: "local" }, run_log_store: { type: "file-system" }, catalog: { type: "file-system" } };
  writeFileSync(join(dir, "config.yaml"), JSON.stringify(config));
  const { graph } = pipeline({ name: "bench", steps }).build();
  const source = { kind: "graph", graph, serialised: serialiseGraph(graph), name: "bench", file: null };
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await executePipeline({ source, cwd: dir, env: { PATH: process.env.PATH }, configFile: join(dir, "config.yaml"), warn: () => {} });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  if (result.status !== "SUCCESS") throw new Error(`benchmark run ${result.runId} ended ${result.status}`);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Child: a loop of `iterations` stub iterations (break_on never set: it runs to max_iterations). */
async function loopChild(dir, iterations) {
  const { loop, pipeline, stub } = await import("../dist/index.js");
  const steps = [loop({ name: "again", breakOn: "done", maxIterations: iterations, branch: pipeline({ steps: [stub({ name: "work" })] }) })];
  const timing = await runIn(dir, steps);
  console.log(JSON.stringify({ ...timing, rssMB: process.resourceUsage().maxRSS / 1024 }));
}

/**
 * Child: a map over `items` items whose branch is one step (a stub, or a shell `true`: real work), or a
 * conditional on the item choosing a branch of that step.
 */
async function mapChild(dir, items, withConditional, kind) {
  const { conditional, map, pipeline, shell, stub, typescript } = await import("../dist/index.js");
  const step = (name) => (kind === "shell" ? shell({ name, command: "true" }) : stub({ name }));
  const work = pipeline({ steps: [step("work")] });
  const branch = withConditional
    ? pipeline({ steps: [conditional({ name: "pick", on: "parity", branches: { even: work, odd: pipeline({ steps: [step("other")] }) } })] })
    : work;
  const steps = [
    typescript({ name: "list", function: () => ({ items: Array.from({ length: items }, (_, i) => (i % 2 ? "odd" : "even")) }) }),
    map({ name: "each", iterateOn: "items", iterateAs: "parity", branch }),
  ];
  const timing = await runIn(dir, steps);
  console.log(JSON.stringify({ ...timing, rssMB: process.resourceUsage().maxRSS / 1024 }));
}

function child(scratch, ...args) {
  const dir = mkdtempSync(join(scratch, "run-"));
  const run = spawnSync(process.execPath, [SELF, "--child", dir, ...args.map(String)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`benchmark child ${args.join(" ")} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1));
}

const best = (runs) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
// (the best of a few runs: the least disturbed by other work on the machine)

export async function controlBenchmarks() {
  const scratch = mkdtempSync(join(tmpdir(), "runnable-bench-control-"));
  try {
    const loops = [1000, 5000, 10000].map((n) => ({ n, ...best([child(scratch, "loop", n), child(scratch, "loop", n)]) }));
    for (const l of loops) {
      const big = l.n === 10000;
      const what = `loop of ${l.n.toLocaleString("en")} stub iterations, file-system store`;
      report({
        id: `control.loop-${l.n}`,
        label: what,
        value: l.seconds,
        unit: "s",
        target: big ? `<= ${TARGET.loopSeconds}` : undefined,
        note: `CPU ${l.cpuSeconds.toFixed(2)} s`,
      });
      if (big) report({ id: `control.loop-${l.n}.rss`, label: `${what}, peak RSS`, value: l.rssMB, unit: "MB", target: `<= ${TARGET.loopRssMB}` });
    }
    const maps = {};
    for (const kind of ["stub", "shell"]) {
      const plain = best([0, 1, 2].map(() => child(scratch, "map", 1000, 0, kind)));
      const chosen = best([0, 1, 2].map(() => child(scratch, "map", 1000, 1, kind)));
      const ratio = chosen.seconds / plain.seconds;
      const cpuRatio = chosen.cpuSeconds / plain.cpuSeconds;
      maps[kind] = { plain, chosen, ratio, cpuRatio };
      const what = `1,000-item map of a ${kind === "shell" ? "shell `true` task" : "stub"}, with a conditional around it against without`;
      const note = `${plain.seconds.toFixed(2)} s (CPU ${plain.cpuSeconds.toFixed(2)} s) / ${plain.rssMB.toFixed(0)} MB against ${chosen.seconds.toFixed(2)} s (CPU ${chosen.cpuSeconds.toFixed(2)} s) / ${chosen.rssMB.toFixed(0)} MB`;
      report({ id: `control.conditional-${kind}`, label: `${what}, wall`, value: ratio, unit: "x", target: `<= ${TARGET.conditionalRatio}`, note });
      report({ id: `control.conditional-${kind}.cpu`, label: `${what}, CPU`, value: cpuRatio, unit: "x", target: `<= ${TARGET.conditionalRatio}` });
    }
    return { loops, maps };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  const [dir, kind, ...args] = process.argv.slice(3);
  if (kind === "loop") await loopChild(dir, Number(args[0]));
  else await mapChild(dir, Number(args[0]), args[1] === "1", args[2]);
} else if (process.argv[1] === SELF) {
  await controlBenchmarks();
}
