import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mapLimit } from "../src/core/map-limit.js";
import type { RunLog, StepLog } from "../src/core/run-log.js";
import { openRunLogStore } from "../src/runtime/open-store.js";
import { runCli, runMain } from "./helpers/cli.js";
import { startCli, until } from "./helpers/processes.js";

// Crash injection: a pipeline of 30 steps with catalog puts around a map of 20 items, killed with
// SIGKILL at 20 points spread over its run. Every time the log must be readable, the run shown stale,
// and `runnable retry` must complete it without running again any step that had finished.

const STEPS = 30;
const ITEMS = 20;
const POINTS = 20;

function pipelineYaml(): string {
  const step = (n: number, next: string) => {
    const name = `s${String(n).padStart(2, "0")}`;
    const extra = n === 15 ? `; export RUNNABLE_PRM_items='${JSON.stringify(Array.from({ length: ITEMS }, (_, i) => i))}'` : "";
    return (
      `    ${name}:\n      type: task\n      command_type: shell\n` +
      `      command: "mkdir -p out; echo ${name} >> ran.log; echo ${name}-content > out/${name}.txt${extra.replace(/"/g, '\\"')}"\n` +
      `      catalog:\n        put: [out/${name}.txt]\n      next: ${next}\n`
    );
  };
  const names = Array.from({ length: STEPS }, (_, i) => i + 1);
  let steps = "";
  for (const n of names) {
    const next = n === 15 ? "fan" : n === STEPS ? "success" : `s${String(n + 1).padStart(2, "0")}`;
    steps += step(n, next);
  }
  steps +=
    "    fan:\n      type: map\n      iterate_on: items\n      iterate_as: item\n      next: s16\n      branch:\n        start_at: work\n        steps:\n" +
    "          work:\n            type: task\n            command_type: shell\n            command: 'echo fan.$RUNNABLE_PRM_item >> ran.log'\n            next: success\n" +
    "          success:\n            type: success\n          fail:\n            type: fail\n";
  return `dag:\n  start_at: s01\n  steps:\n${steps}    success:\n      type: success\n    fail:\n      type: fail\n`;
}

/** Every task step log of the run with its status: top-level steps by name, map items as `fan.<item>`. */
function taskStatuses(log: RunLog): Map<string, string> {
  const found = new Map<string, string>();
  for (const [name, step] of Object.entries(log.steps)) {
    if (step.step_type === "task") found.set(name, step.status);
    for (const [key, branch] of Object.entries(step.branches)) {
      const work = branch.steps[`${key}.work`] as StepLog | undefined;
      if (work) found.set(key, work.status);
    }
  }
  return found;
}

async function ranCounts(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const text = await readFile(join(dir, "ran.log"), "utf8").catch(() => "");
  for (const line of text.split("\n").filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

async function expectCatalogIntact(dir: string, log: RunLog): Promise<void> {
  for (const step of Object.values(log.steps)) {
    for (const entry of step.data_catalog) {
      const content = await readFile(join(dir, ".catalog", entry.catalog_relative_path));
      expect(createHash("sha256").update(content).digest("hex"), entry.catalog_relative_path).toBe(entry.data_hash);
    }
  }
}

/** A run killed at one point: its folder, id, and the task steps that had finished before the kill. */
interface Crashed {
  dir: string;
  runId: string;
  finished: Set<string>;
}

/** Starts the run in its own folder (its ran.log and catalog) on the shared store and kills it at `point`. */
async function crash(root: string, config: string, point: number): Promise<Crashed> {
  const dir = await mkdtemp(join(root, `point-${point}-`));
  await writeFile(join(dir, "pipeline.yaml"), pipelineYaml());
  const runId = `crash-${point}`;
  const cli = startCli(["execute", "-f", "pipeline.yaml", "-c", config, "--run-id", runId, "--no-output"], { cwd: dir });
  // Kill after `point` of the 50 task lines, at a slightly different moment inside that step each time.
  const line = 1 + Math.floor(((STEPS + ITEMS - 4) * point) / POINTS);
  await until(async () => [...(await ranCounts(dir)).values()].reduce((a, b) => a + b, 0) >= line, 60_000, `line ${line} of ran.log`);
  await new Promise((resolve) => setTimeout(resolve, point % 4));
  cli.signal("SIGKILL");
  await cli.exited;

  const opened = await openRunLogStore({ configFile: config, cwd: dir, env: {} });
  const crashed = await opened.get(runId);
  expect(crashed.status).toBe("PROCESSING");
  const finished = new Set([...taskStatuses(crashed)].filter(([, status]) => status === "SUCCESS").map(([name]) => name));
  return { dir, runId, finished };
}

/** `runnable retry` completes a crashed run without running again any step that had finished. */
async function retryAndCheck(store: string, config: string, point: number, { dir, runId, finished }: Crashed): Promise<void> {
  const retried = await runMain(["retry", runId, "-c", config, "--no-output"], { cwd: dir });
  expect(retried.code, `${store} point ${point}: ${retried.stderr}`).toBe(0);
  const log = await (await openRunLogStore({ configFile: config, cwd: dir, env: {} })).get(runId);
  expect(log.status).toBe("SUCCESS");
  const statuses = taskStatuses(log);
  expect(statuses.size).toBe(STEPS + ITEMS);
  expect([...statuses.values()].every((status) => status === "SUCCESS")).toBe(true);
  expect(Object.keys(log.steps).at(-1)).toBe("success");
  expect(Object.keys(log.steps)).not.toContain("fail");
  await expectCatalogIntact(dir, log);
  const counts = await ranCounts(dir);
  for (const name of finished) expect(counts.get(name), `${name} had finished before the kill at ${point}`).toBe(1);
  for (const name of statuses.keys()) expect(counts.get(name) ?? 0).toBeGreaterThanOrEqual(1);
}

// The points of one store share its folder (each run keeps its own working folder, ran.log and
// catalog), so one `runs list` shows every killed run; a few points run at once. The killed runs are
// real CLI processes; `runnable retry` runs in this process (main()), as starting 40 CLIs costs more
// than the retries themselves.
const AT_ONCE = 4;

describe("crash injection: SIGKILL at 20 points, then runnable retry", () => {
  for (const store of ["file-system", "chunked-fs"] as const) {
    it.concurrent(`${store}: the log stays readable, the run shows stale, retry completes it and runs no finished step again`, async () => {
      const root = await mkdtemp(join(tmpdir(), `runnable-crash-${store}-`));
      try {
        const config = join(root, "config.yaml");
        await writeFile(config, `run_log_store:\n  type: ${store}\n  config:\n    log_folder: ${JSON.stringify(join(root, "store"))}\n`);
        const points = Array.from({ length: POINTS }, (_, point) => point);
        const crashed = await mapLimit(points, AT_ONCE, (point) => crash(root, config, point));
        const listed = await runCli(["runs", "list", "-c", config], { cwd: root });
        for (const { runId } of crashed) expect(listed.stdout).toMatch(new RegExp(`${runId}\\s+STALE`));
        await mapLimit(points, AT_ONCE, (point) => retryAndCheck(store, config, point, crashed[point]!));
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    }, 300_000);
  }
});
