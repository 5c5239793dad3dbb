import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

const yaml = (steps: string) => `dag:\n  start_at: a\n  steps:\n${steps}`;

describe("shell tasks", () => {
  it("keeps all of a large stdout and stderr without deadlocking", async () => {
    const command =
      'i=0; while [ $i -lt 20000 ]; do echo "out line $i ......................................................"; echo "err line $i ......................................................" >&2; i=$((i+1)); done';
    await writeFile(join(dir, "big.yaml"), yaml(`    a:\n      type: task\n      command_type: shell\n      command: '${command}'\n      next: success\n`));
    const result = await runCli(["execute", "-f", "big.yaml", "--run-id", "big", "--no-output"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const text = await readFile(join(dir, ".catalog/big/a.execution.log"), "utf8");
    expect(text.match(/^out line \d+/gm)).toHaveLength(20000);
    expect(text.match(/^err line \d+/gm)).toHaveLength(20000);
    expect(text).toContain("out line 19999");
  });
});

describe("catalog failures fail the step, not the run machinery", () => {
  it("records a missing file as a failed attempt and follows on_failure", async () => {
    await writeFile(
      join(dir, "missing.yaml"),
      yaml(
        `    a:\n      type: task\n      command_type: shell\n      command: echo hi\n      catalog:\n        get: [data/nowhere.csv]\n      next: success\n      on_failure: recover\n    recover:\n      type: stub\n      next: success\n`,
      ),
    );
    const result = await runCli(["execute", "-f", "missing.yaml", "--run-id", "missing-file"], { cwd: dir });
    expect(result.code).toBe(0);
    const log = await readRunLog(dir, "missing-file");
    expect(log.steps.a.status).toBe("FAIL");
    expect(log.steps.a.attempts[0].message).toContain("data/nowhere.csv");
    expect(Object.keys(log.steps)).toEqual(["a", "recover", "success"]);
  });

  it("refuses patterns that escape the working directory before anything runs (issue 11 item 12)", async () => {
    await writeFile(join(dir, "escape.yaml"), yaml(`    a:\n      type: stub\n      catalog:\n        put: ["../secrets/*"]\n      next: success\n`));
    const result = await runCli(["execute", "-f", "escape.yaml", "--run-id", "escape"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/escape\.yaml:\d+:\d+: step "a" \(stub\): catalog put pattern "\.\.\/secrets\/\*" walks up with "\.\."/);
    await expect(readRunLog(dir, "escape")).rejects.toThrow();
  });
});
