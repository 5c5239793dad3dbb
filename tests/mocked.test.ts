import { cp, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractErrors, readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { statuses } from "./helpers/composite.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

const mockFlags = (log: Record<string, any>) => Object.fromEntries(Object.entries(log.steps).map(([name, step]: [string, any]) => [name, step.mock]));

// The executor's behaviour with runnable's other mocked configs (a patched step, a map's tasks mocked,
// a map's list from the parameters file) is tested on the engine harness: tests/engine-mocked.test.ts.

describe("the mocked executor (runnable's mocked configs)", () => {
  it("mocked-config-simple: every task is recorded as run, without running", async () => {
    const result = await runCli(
      ["execute", "-f", "examples/python/simple.yaml", "-c", "examples/configs/mocked-config-simple.yaml", "--run-id", "mock-simple"],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    const log = await readRunLog(dir, "mock-simple");
    expect(log.status).toBe("SUCCESS");
    const [task] = Object.keys(log.steps);
    expect(log.steps[task!]).toMatchObject({
      mock: true,
      status: "SUCCESS",
      attempts: [{ attempt_number: 1, status: "SUCCESS", message: "" }],
      data_catalog: [],
    });
    expect(log.steps.success.mock).toBe(false);
    expect(log.run_config.executor).toEqual({ service_name: "mocked", service_type: "executor", enable_parallel: false, overrides: {}, patches: {} });
    expect(await contractErrors(log)).toEqual([]);
  });

  it("mocked-config-debug: re-runs only the failed step of a copied run, the others' catalog moves still happen", async () => {
    const failed = await runCli(
      ["execute", "-f", "examples/retry-fail.yaml", "-c", "examples/configs/fs-catalog-run_log.yaml", "--run-id", "wrong-file", "--no-output"],
      { cwd: dir },
    );
    expect(failed.code).toBe(1);
    await cp(join(dir, ".catalog/wrong-file"), join(dir, ".catalog/debug-pipeline"), { recursive: true });
    const debug = await runCli(["execute", "-f", "examples/retry-fail.yaml", "-c", "examples/configs/mocked-config-debug.yaml", "--run-id", "debug-pipeline"], {
      cwd: dir,
    });
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.stdout).toContain("Hello from runnable");
    const log = await readRunLog(dir, "debug-pipeline");
    expect(statuses(log.steps)).toEqual({ Setup: "SUCCESS", "Create Content": "SUCCESS", "Retrieve Content": "SUCCESS", success: "SUCCESS" });
    expect(mockFlags(log)).toEqual({ Setup: true, "Create Content": true, "Retrieve Content": false, success: false });
    expect(log.steps["Create Content"].data_catalog.map((entry: any) => [entry.name, entry.stage])).toEqual([["data/hello.txt", "put"]]);
  });

  it("refuses to patch a stub, and names the task a misspelt patch meant, before anything runs", async () => {
    const write = async (name: string, patches: string) => {
      await writeFile(join(dir, name), `run_log_store:\n  type: file-system\nexecutor:\n  type: mocked\n  config:\n    patches:\n${patches}`);
    };
    await write("patch-stub.yaml", "      step 2:\n        command: echo hi\n");
    const refused = await runCli(["execute", "-f", "examples/on-failure.yaml", "-c", "patch-stub.yaml", "--run-id", "patch-stub"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('patch "step 2" names a stub step');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    await write("patch-typo.yaml", "      stpe 1:\n        command: exit 0\n");
    const typo = await runCli(["execute", "-f", "examples/on-failure.yaml", "-c", "patch-typo.yaml", "--run-id", "patch-typo"], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('patch "stpe 1" names no task step (did you mean "step 1"?)');
    await expect(stat(join(dir, ".run_log_store/patch-stub.json"))).rejects.toThrow();
  });
});
