import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, contractErrors, readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { statuses } from "./helpers/composite.js";
import { startCli, until } from "./helpers/processes.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

const shell = (name: string, command: string, next: string, extra = "") =>
  `    ${name}:\n      type: task\n      command_type: shell\n      command: ${JSON.stringify(command)}\n      next: ${next}\n${extra}`;
const pipeline = (start: string, steps: string) =>
  `dag:\n  start_at: ${start}\n  steps:\n${steps}    success:\n      type: success\n    fail:\n      type: fail\n`;

// The engine's side of re-runs and retries (what is kept, mocked, re-run; attempts numbered on; map
// items) is tested on the engine harness: tests/engine-resume.test.ts. Here: the CLI's side.

describe("--use-cached: a new run re-using what succeeded in an earlier one", () => {
  it("gives runnable's result for retry-fail.yaml -> retry-fixed.yaml", async () => {
    const config = ["-c", "examples/configs/fs-catalog-run_log.yaml"];
    const failed = await runCli(["execute", "-f", "examples/retry-fail.yaml", ...config, "--run-id", "wrong-file-name", "--no-output"], { cwd: dir });
    expect(failed.code).toBe(1);
    const fixed = await runCli(["execute", "-f", "examples/retry-fixed.yaml", ...config, "--use-cached", "wrong-file-name", "--run-id", "fixed-1"], {
      cwd: dir,
    });
    expect(fixed.code, fixed.stderr).toBe(0);
    const log = await readRunLog(dir, "fixed-1");
    expect(log).toMatchObject({ use_cached: true, original_run_id: "wrong-file-name", status: "SUCCESS" });
    expect(log.run_config).toMatchObject({ use_cached: true, original_run_id: "wrong-file-name" });
    expect(statuses(log.steps)).toEqual({ Setup: "SUCCESS", "Create Content": "SUCCESS", "Retrieve Content": "SUCCESS", success: "SUCCESS" });
    for (const name of ["Setup", "Create Content"]) expect(log.steps[name]).toMatchObject({ mock: true, attempts: [], data_catalog: [] });
    expect(log.steps["Retrieve Content"]).toMatchObject({ mock: false, attempts: [{ status: "SUCCESS" }] });
    // The original's catalog was copied in, so the get of data/hello.txt found the file.
    const got = log.steps["Retrieve Content"].data_catalog.find((entry: { name: string }) => entry.name === "data/hello.txt");
    expect(got).toMatchObject({ stage: "get", catalog_relative_path: "fixed-1/data/hello.txt" });
    expect(await readFile(join(dir, ".catalog/fixed-1/data/hello.txt"), "utf8")).toContain("Hello from runnable");
    expect(await contractErrors(log)).toEqual([]);
  });

  it("says clearly when the original run does not exist", async () => {
    await writeFile(join(dir, "chain.yaml"), pipeline("a", shell("a", "echo a >> chain.ran", "success")));
    const result = await runCli(["execute", "-f", "chain.yaml", "--use-cached", "no-such-run"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Expected a run log with id: no-such-run but it does not exist");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("runnable retry: the same run continued", () => {
  it("uses the pipeline file given explicitly, with a warning, when its dag is the run's", async () => {
    const result = await runCli(["execute", "-f", "examples/retry-fail.yaml", "--run-id", "wf-2", "--no-output"], { cwd: dir });
    expect(result.code).toBe(1);
    await writeFile(join(dir, "same-dag.yaml"), await readFile(join(REPO, "examples/retry-fail.yaml"), "utf8"));
    const retried = await runCli(["retry", "wf-2", "-f", "same-dag.yaml", "--no-output"], { cwd: dir });
    expect(retried.code, retried.stderr).toBe(1);
    expect(retried.stderr).toContain("using the pipeline file same-dag.yaml given on the command line instead of the run's own (examples/retry-fail.yaml)");
    const log = await readRunLog(dir, "wf-2");
    expect(log.run_config.pipeline_file).toBe("same-dag.yaml");
    expect(log.steps["Retrieve Content"].attempts.map((a: { attempt_number: number }) => a.attempt_number)).toEqual([1, 2]);
  });

  it("refuses an edited pipeline (another dag_hash), naming the run that reuses what succeeded", async () => {
    const before = await readRunLog(dir, "wf-2");
    const refused = await runCli(["retry", "wf-2", "-f", "examples/retry-fixed.yaml", "--no-output"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Run "wf-2" cannot be retried with examples/retry-fixed.yaml: the pipeline has changed since the run');
    expect(refused.stderr).toContain("runnable execute -f examples/retry-fixed.yaml --use-cached wf-2");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const after = await readRunLog(dir, "wf-2");
    expect(after).toEqual(before);
    expect(after.dag_hash).toBe(after.run_config.dag_hash);
    const shown = await runCli(["runs", "show", "wf-2"], { cwd: dir });
    expect(shown.stdout).toContain(`dag_hash: ${after.dag_hash}`);
  });

  it("never retries a live run", async () => {
    await writeFile(join(dir, "slow.yaml"), pipeline("a", shell("a", "sleep 20", "success")));
    const cli = startCli(["execute", "-f", "slow.yaml", "--run-id", "live-1"], { cwd: dir });
    await until(() => cli.output().includes("start   a"), 20_000, "the run to start");
    const refused = await runCli(["retry", "live-1"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Run "live-1" is (still running|being run by) .*process \d+/);
    cli.signal("SIGTERM");
    expect((await cli.exited).code).toBe(143);
  });

  it("explains what is wrong for an unknown run", async () => {
    const missing = await runCli(["retry", "nope-1"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No run "nope-1" in the file-system run log store');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it("retries a TypeScript pipeline module from the file it recorded", async () => {
    const module = [
      'import { existsSync } from "node:fs";',
      `import { pipeline, typescript } from "${REPO}/dist/index.js";`,
      "export default pipeline({ steps: [",
      '  typescript({ name: "first", function: () => ({ n: 1 }) }),',
      '  typescript({ name: "second", function: ({ n }: { n: number }) => { if (!existsSync("ts-ok")) throw new Error("not yet"); return { m: n + 1 }; } }),',
      "] });",
    ].join("\n");
    await writeFile(join(dir, "flaky.ts"), module);
    expect((await runCli(["execute", "-f", "flaky.ts", "--run-id", "ts-1", "--no-output"], { cwd: dir })).code).toBe(1);
    await writeFile(join(dir, "ts-ok"), "");
    const retried = await runCli(["retry", "ts-1", "--no-output"], { cwd: dir });
    expect(retried.code, retried.stderr).toBe(0);
    const log = await readRunLog(dir, "ts-1");
    expect(log.parameters).toEqual({ n: 1, m: 2 });
    expect(log.steps.second.attempts.map((a: { status: string }) => a.status)).toEqual(["FAIL", "SUCCESS"]);
  });
});
