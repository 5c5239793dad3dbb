import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunLog } from "../../core/run-log.js";
import { runPrepared } from "../../runtime/execute.js";
import { prepareRun } from "../../runtime/prepare-run.js";

/** How the suite runs pipelines on the executor under test. */
export interface ExecutorHarness {
  /** The services config choosing the executor (YAML text); the run log store must be file-based. */
  config: string;
  /** Prepares the working folder (e.g. mounts, images); called once. */
  setup?(cwd: string): Promise<void>;
  env?: Record<string, string>;
}

const PIPELINES: Record<string, string> = {
  chain: [
    "dag:",
    "  start_at: first",
    "  steps:",
    "    first: {type: task, command_type: shell, command: 'export RUNNABLE_PRM_x=1', next: flaky}",
    "    flaky: {type: task, command_type: shell, command: 'test -e .tried || { touch .tried; exit 5; }; export RUNNABLE_PRM_y=2', max_attempts: 2, next: broken}",
    "    broken: {type: task, command_type: shell, command: 'exit 3', on_failure: recover, next: success}",
    "    recover: {type: stub, next: success}",
  ].join("\n"),
  composites: [
    "dag:",
    "  start_at: list",
    "  steps:",
    "    list: {type: task, command_type: shell, command: \"export RUNNABLE_PRM_items='[1, 2, 3]'\", next: each}",
    "    each:",
    "      type: map",
    "      iterate_on: items",
    "      iterate_as: item",
    "      next: both",
    "      branch:",
    "        start_at: square",
    "        steps:",
    "          square: {type: task, command_type: shell, command: 'export RUNNABLE_PRM_sq=$((RUNNABLE_PRM_item * RUNNABLE_PRM_item))', next: success}",
    "    both:",
    "      type: parallel",
    "      next: success",
    "      branches:",
    "        left: {start_at: l, steps: {l: {type: task, command_type: shell, command: 'export RUNNABLE_PRM_left=L', next: success}}}",
    "        right: {start_at: r, steps: {r: {type: task, command_type: shell, command: 'export RUNNABLE_PRM_right=R', next: success}}}",
  ].join("\n"),
};

/**
 * The promises every executor that runs steps keeps, as a vitest suite: the same pipelines give the
 * same run log as the `local` executor (statuses, attempts, parameters, catalog records).
 */
export function executorContract(name: string, harness: ExecutorHarness): void {
  describe(`Executor contract: ${name}`, () => {
    let cwd = "";
    beforeAll(async () => {
      cwd = await mkdtemp(join(tmpdir(), "runnable-executor-contract-"));
      await writeFile(join(cwd, "config.yaml"), harness.config);
      for (const [file, text] of Object.entries(PIPELINES)) await writeFile(join(cwd, `${file}.yaml`), `${text}\n`);
      await harness.setup?.(cwd);
    });
    afterAll(() => rm(cwd, { recursive: true, force: true }));

    const run = async (file: string, runId: string): Promise<RunLog> => {
      const prepared = await prepareRun({ source: { kind: "yaml", file }, configFile: "config.yaml", cwd, env: { PATH: process.env["PATH"], ...harness.env }, runId, warn: () => undefined });
      const store = prepared.services.runLogStore;
      await runPrepared(prepared);
      return store.get(runId);
    };

    it("runs a chain with retries and on_failure, recording every attempt and the catalog", async () => {
      const log = await run("chain.yaml", "chain-1");
      expect(log.status).toBe("SUCCESS");
      expect(Object.entries(log.steps).map(([key, step]) => [key, step.status])).toEqual([
        ["first", "SUCCESS"],
        ["flaky", "SUCCESS"],
        ["broken", "FAIL"],
        ["recover", "SUCCESS"],
        ["success", "SUCCESS"],
      ]);
      expect(log.steps.flaky!.attempts.map((a) => [a.attempt_number, a.status])).toEqual([[1, "FAIL"], [2, "SUCCESS"]]);
      expect(log.steps.flaky!.attempts[1]!.parameters).toEqual({ x: 1 });
      expect(log.parameters).toEqual({ x: 1, y: 2 });
      const record = log.steps.first!.data_catalog.find((entry) => entry.name === "first.execution.log");
      expect(record).toBeDefined();
    });

    it("fans maps and parallel branches out and in", async () => {
      const log = await run("composites.yaml", "composites-1");
      expect(log.status).toBe("SUCCESS");
      expect(Object.keys(log.steps.each!.branches)).toEqual(["each.1", "each.2", "each.3"]);
      expect(log.parameters).toMatchObject({ items: [1, 2, 3], sq: [1, 4, 9], left: "L", right: "R" });
      expect(Object.values(log.steps.both!.branches).map((branch) => branch.status)).toEqual(["SUCCESS", "SUCCESS"]);
    });

    it("keeps the execution logs in the catalog", async () => {
      const log = await run("composites.yaml", "composites-2");
      const square = log.steps.each!.branches["each.2"]!.steps["each.2.square"]!;
      const entry = square.data_catalog.find((record) => record.name.startsWith("square.execution.log"))!;
      expect(entry).toBeDefined();
      await expect(readFile(join(cwd, entry.catalog_handler_location, entry.catalog_relative_path), "utf8")).resolves.toBeTypeOf("string");
    });
  });
}
