import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunLog } from "../../core/run-log.js";
import { runPrepared } from "../../runtime/execute.js";
import { prepare } from "../../runtime/prepare.js";

/** How the suite runs pipelines on the executor under test. */
export interface ExecutorHarness {
  /**
   * The services config choosing the executor, relative to a working folder in which `examples/` is
   * the project's (so images holding the project find the same files); its store must be file-based.
   */
  configFile: string;
  /** The project folder holding `examples/contract/` (default: this package's own folder). */
  project?: string;
  env?: Record<string, string>;
}

/** The package's own folder (the nearest one above this module holding examples/contract). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6 && !existsSync(join(dir, "examples", "contract")); up++) dir = dirname(dir);
  return dir;
}

/**
 * The promises every executor that runs steps keeps, as a vitest suite: the same pipelines give the
 * same run log as the `local` executor (statuses, attempts, parameters, catalog records).
 */
export function executorContract(name: string, harness: ExecutorHarness): void {
  describe(`Executor contract: ${name}`, () => {
    let cwd = "";
    beforeAll(async () => {
      cwd = await mkdtemp(join(tmpdir(), "runnable-executor-contract-"));
      await symlink(join(harness.project ?? packageRoot(), "examples"), join(cwd, "examples"));
    });
    afterAll(() => rm(cwd, { recursive: true, force: true }));

    const run = async (file: string, runId: string): Promise<RunLog> => {
      const prepared = await prepare({
        kind: "execute",
        source: { kind: "yaml", file: `examples/contract/${file}` },
        configFile: harness.configFile,
        cwd,
        env: { PATH: process.env["PATH"], ...harness.env },
        runId,
        warn: () => undefined,
      });
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
      expect(log.steps.flaky!.attempts.map((a) => [a.attempt_number, a.status])).toEqual([
        [1, "FAIL"],
        [2, "SUCCESS"],
      ]);
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
