import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { statuses } from "./helpers/composite.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

// The executor's limit with max_attempts and on_failure, and per-step override bundles, are tested on
// the engine harness (tests/engine-stop.test.ts); here the CLI with an in-process TypeScript task.

describe("time limits (max_step_duration_in_seconds)", () => {
  it("stops a TypeScript task past its limit (mocked executor too), and refuses a bundle that does not exist before running", async () => {
    await writeFile(join(dir, "sleepy.ts"), "export async function nap() { await new Promise((resolve) => setTimeout(resolve, 20_000)); }\n");
    await writeFile(
      join(dir, "mocked-limit.yaml"),
      "run_log_store:\n  type: file-system\nexecutor:\n  type: mocked\n  config:\n    max_step_duration_in_seconds: 0.5\n    patches:\n      nap:\n        command: sleepy.ts#nap\n",
    );
    await writeFile(
      join(dir, "nap.yaml"),
      "dag:\n  start_at: nap\n  steps:\n    nap:\n      type: task\n      command_type: typescript\n      command: sleepy.ts#nap\n      next: success\n",
    );
    const result = await runCli(["execute", "-f", "nap.yaml", "-c", "mocked-limit.yaml", "--run-id", "nap", "--no-output"], { cwd: dir });
    expect(result.code).toBe(1);
    expect((await readRunLog(dir, "nap")).steps.nap.attempts[0].message).toBe(
      "stopped after exceeding its time limit of 0.5 seconds (max_step_duration_in_seconds)",
    );
    await writeFile(
      join(dir, "missing-bundle.yaml"),
      "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: 'true'\n      overrides:\n        local: nope\n      next: success\n",
    );
    const refused = await runCli(["execute", "-f", "missing-bundle.yaml", "--run-id", "no-bundle"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("No override of key: nope found in the overrides section");
    expect(refused.stderr).toMatch(/missing-bundle\.yaml:\d+:\d+/);
  });

  // Issue 19, item 5: limits beyond Node's 32-bit timers (~24.8 days) used to fire after ~1 ms.
  it.each([
    ["30 days (past 2^31-1 ms)", "2592000"],
    ["a thousand years", "31536000000"],
    ["1e308 seconds", "1e308"],
  ])("a limit of %s is accepted by validate and lets a 1.5 s step succeed (global and per bundle)", async (_label, seconds) => {
    const id = `long-${seconds.replace(/\W/g, "")}`;
    await writeFile(
      join(dir, `${id}.yaml`),
      `executor:\n  type: local\n  config:\n    max_step_duration_in_seconds: ${seconds}\n    overrides:\n      long:\n        max_step_duration_in_seconds: ${seconds}\n`,
    );
    const steps = [
      "    a:\n      type: task\n      command_type: shell\n      command: sleep 1.5\n      next: b\n",
      "    b:\n      type: task\n      command_type: shell\n      command: sleep 0.2\n      overrides:\n        local: long\n      next: success\n",
    ].join("");
    await writeFile(join(dir, `${id}-p.yaml`), `dag:\n  start_at: a\n  steps:\n${steps}`);
    const validated = await runCli(["validate", `${id}-p.yaml`, "-c", `${id}.yaml`], { cwd: dir });
    expect(validated.code, validated.stderr).toBe(0);
    const result = await runCli(["execute", "-f", `${id}-p.yaml`, "-c", `${id}.yaml`, "--run-id", id, "--no-output"], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).not.toContain("TimeoutOverflowWarning");
    const log = await readRunLog(dir, id);
    expect(statuses(log.steps)).toEqual({ a: "SUCCESS", b: "SUCCESS", success: "SUCCESS" });
  });
});
