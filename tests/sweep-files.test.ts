import { readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";

// Issue 20, item 4: files do not leak between map items or runs. A put stores only files its attempt
// made, two items running at once cannot put one catalog name, and `${<iterate_as>}` gives each item
// its own files.

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

const map = (branch: string, extra = "") => `dag:
  start_at: lrs
  steps:
    lrs:
      type: task
      command_type: shell
      command: export RUNNABLE_PRM_lrs='[0.1, 0.01, 0.001]'
      next: sweep
    sweep:
      type: map
      iterate_on: lrs
      iterate_as: lr
      next: success
      branch:
        start_at: train
        steps:
${branch}
          success: { type: success }
          fail: { type: fail }
${extra}`;

const step = (name: string, command: string, catalog: string, next = "success") => `          ${name}:
            type: task
            command_type: shell
            command: ${JSON.stringify(command)}
            catalog: ${catalog}
            next: ${next}`;

const config = (lines: string) => writeFile(join(dir, "cfg.yaml"), lines);
/** Backdates a file's content (its ctime, which utimes sets to now, makes it seconds old: still before the attempt). */
const hourAgo = async (file: string) => {
  const then = new Date(Date.now() - 3_600_000);
  await utimes(join(dir, file), then, then);
  await new Promise((resolve) => setTimeout(resolve, 1100));
};

describe("a put stores only what its attempt made", () => {
  it("leaves out a file older than the attempt with a warning naming it and its age (default stale_files: warn)", async () => {
    await writeFile(join(dir, "old.csv"), "from an earlier run\n");
    await hourAgo("old.csv");
    await writeFile(
      join(dir, "fresh.yaml"),
      `dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: echo new > new.csv\n      catalog: { put: ["*.csv"] }\n      next: success\n`,
    );
    const result = await runCli(["execute", "-f", "fresh.yaml", "--run-id", "stale-warn"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /catalog put \*\.csv \(step a\) left out a file older than the attempt: old\.csv \(last changed \d+ s before the attempt started\)/,
    );
    const log = await readRunLog(dir, "stale-warn");
    expect(log.steps.a.data_catalog.filter((e: any) => e.stage === "put").map((e: any) => e.name)).toEqual(["new.csv", "a.execution.log"]);
    expect(await readdir(join(dir, ".catalog", "stale-warn"))).not.toContain("old.csv");
  });

  it("fails the step naming the file when only leftovers match, and with stale_files: refuse", async () => {
    await writeFile(
      join(dir, "only-old.yaml"),
      `dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: "true"\n      catalog: { put: [old.csv] }\n      next: success\n`,
    );
    const leftover = await runCli(["execute", "-f", "only-old.yaml", "--run-id", "stale-only"], { cwd: dir });
    expect(leftover.code).toBe(1);
    const message = (await readRunLog(dir, "stale-only")).steps.a.attempts[0].message;
    expect(message).toMatch(/Catalog put old\.csv \(step a\): every file matching it is older than the attempt: old\.csv \(last changed \d+ s before/);
    await config("catalog:\n  type: file-system\n  config:\n    stale_files: refuse\n");
    const refused = await runCli(["execute", "-f", "fresh.yaml", "-c", "cfg.yaml", "--run-id", "stale-refuse"], { cwd: dir });
    expect(refused.code).toBe(1);
    expect((await readRunLog(dir, "stale-refuse")).steps.a.attempts[0].message).toMatch(/it matches files older than the attempt: old\.csv/);
    await config("catalog:\n  type: file-system\n  config:\n    stale_files: allow\n");
    const allowed = await runCli(["execute", "-f", "only-old.yaml", "-c", "cfg.yaml", "--run-id", "stale-allow"], { cwd: dir });
    expect(allowed.code, allowed.stderr).toBe(0);
  });
});

describe("map items keep their files apart", () => {
  it("fails the second of two concurrent items putting one catalog name, naming both branches", async () => {
    await config("executor:\n  type: local\n  config:\n    enable_parallel: true\n");
    await writeFile(join(dir, "same.yaml"), map(step("train", "sleep 0.3; echo $RUNNABLE_PRM_lr > model.pt", "{ put: [model.pt] }")));
    const result = await runCli(["execute", "-f", "same.yaml", "-c", "cfg.yaml", "--run-id", "same-name"], { cwd: dir });
    expect(result.code).toBe(1);
    const branches = (await readRunLog(dir, "same-name")).steps.sweep.branches;
    const failed = Object.values(branches).filter((b: any) => b.status === "FAIL") as any[];
    expect(failed.length).toBeGreaterThanOrEqual(1);
    const message = (Object.values(failed[0].steps)[0] as any).attempts[0].message;
    expect(message).toMatch(
      /Catalog put of "model\.pt" by step sweep\.0\.0?0?1\.train \(branch sweep\.[0-9.]+\) would replace the file step sweep\.[0-9.]+\.train \(branch sweep\.[0-9.]+\) put: branches of sweep run at the same time/,
    );
  });

  it("gives each item its own files with ${lr} in the command and the catalog patterns", async () => {
    const train = step("train", "echo $RUNNABLE_PRM_lr > model_${lr}.pt", `{ put: ["model_\${lr}.pt"] }`, "evaluate");
    const evaluate = step("evaluate", "grep -q ${lr} model_${lr}.pt", `{ get: ["model_\${lr}.pt"] }`);
    await writeFile(join(dir, "own.yaml"), map(`${train}\n${evaluate}`));
    const result = await runCli(["execute", "-f", "own.yaml", "-c", "cfg.yaml", "--run-id", "own-files"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const branches = (await readRunLog(dir, "own-files")).steps.sweep.branches;
    const puts = Object.values(branches).map((b: any) => b.steps[`${b.internal_name}.train`].data_catalog.find((e: any) => !e.name.includes("execution")).name);
    expect(puts).toEqual(["model_0.1.pt", "model_0.01.pt", "model_0.001.pt"]);
    expect((await readdir(join(dir, ".catalog", "own-files"))).filter((f) => f.endsWith(".pt")).sort()).toEqual([
      "model_0.001.pt",
      "model_0.01.pt",
      "model_0.1.pt",
    ]);
  });

  it("lets items run one at a time put the same name (runnable's behaviour)", async () => {
    const result = await runCli(["execute", "-f", "same.yaml", "--run-id", "same-sequential"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
  });
});
