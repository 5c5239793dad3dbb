// Very large pipeline files (issue 25): a valid 50 MB pipeline file, once as one very long `description`
// and once as ~230,000 task steps, through `runnable validate` and (the description) `runnable execute`,
// each in its own process: wall time, CPU time (user + system, less sensitive to a loaded machine) and
// peak RSS, against the targets (<= 5 s, <= 500 MB: memory within 10x the file's size).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const SELF = fileURLToPath(import.meta.url);
const CLI = join(resolve(import.meta.dirname, ".."), "bin/runnable.js");
const SIZE = 50 * 1024 * 1024;

/** A valid pipeline of one stub whose dag has a `description` of about `bytes`. */
function longDescription(bytes) {
  return `dag:\n  description: "${"lorem ipsum ".repeat(Math.floor(bytes / 12))}"\n  start_at: a\n  steps:\n    a: {type: stub, next: success}\n`;
}

/** A valid chain of shell tasks (each with a catalog put) of about `bytes`. */
function manySteps(bytes) {
  const parts = ["dag:\n  start_at: step_number_0\n  steps:\n"];
  let size = parts[0].length;
  for (let i = 0; size < bytes; i++) {
    const step =
      `    step_number_${i}:\n      type: task\n      command_type: shell\n` +
      `      command: echo "hello from step ${i} with some words to make it longer"\n` +
      `      catalog:\n        put: [data/out-${i}.csv]\n      next: step_number_${i + 1}\n`;
    parts.push(step);
    size += step.length;
  }
  parts[parts.length - 1] = parts[parts.length - 1].replace(/next: step_number_\d+\n$/, "next: success\n");
  return parts.join("");
}

/** Runs the CLI with `args` in a fresh process in `dir`: wall seconds, CPU seconds and peak RSS (MB). */
function cliRun(dir, args) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [SELF, "--measure", ...args], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  const figures = /^BENCH (.+)$/m.exec(run.stderr ?? "");
  if (run.status !== 0 || !figures) throw new Error(`runnable ${args.join(" ")} failed (exit ${run.status}):\n${run.stderr.slice(0, 2000)}`);
  return { seconds, ...JSON.parse(figures[1]) };
}

const mark = (ok) => (ok ? "ok" : "MISSED");

export async function largePipelineBenchmarks() {
  const dir = mkdtempSync(join(tmpdir(), "runnable-bench-large-"));
  try {
    writeFileSync(join(dir, "described.yaml"), longDescription(SIZE));
    writeFileSync(join(dir, "steps.yaml"), manySteps(SIZE));
    for (const [label, args] of [
      ["50 MB description, validate", ["validate", "described.yaml"]],
      ["50 MB description, execute", ["execute", "-f", "described.yaml", "-q"]],
      ["50 MB of steps (~230,000 tasks), validate", ["validate", "steps.yaml"]],
    ]) {
      const r = cliRun(dir, args);
      const ok = r.seconds <= 5 && r.rssMB <= 500;
      console.log(
        `${label}, whole process: ${r.seconds.toFixed(2)} s (CPU ${r.cpuSeconds.toFixed(2)} s), ${r.rssMB.toFixed(0)} MB peak RSS [targets <= 5 s, <= 500 MB: ${mark(ok)}]`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In the measured process: runs the CLI and reports its figures on stderr as `BENCH {json}` at exit. */
async function measured(args) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    process.stderr.write(`BENCH ${JSON.stringify({ rssMB: usage.maxRSS / 1024, cpuSeconds })}\n`);
  });
  process.argv = [process.argv[0], CLI, ...args];
  await import(CLI);
}

if (process.argv[2] === "--measure") await measured(process.argv.slice(3));
else if (process.argv[1] === SELF) await largePipelineBenchmarks();
