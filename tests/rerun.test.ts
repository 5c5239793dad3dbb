import { readFile, rm, writeFile } from "node:fs/promises";
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
const counts = async (file: string) => {
  const text = await readFile(join(dir, file), "utf8").catch(() => "");
  const seen: Record<string, number> = {};
  for (const line of text.split("\n").filter(Boolean)) seen[line] = (seen[line] ?? 0) + 1;
  return seen;
};

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

  it("re-runs from a failure in the middle of a chain, through steps the original never reached (runnable crashes)", async () => {
    const broken = pipeline(
      "a",
      shell("a", "echo a >> chain.ran", "b") +
        shell("b", "exit 1", "c") +
        shell("c", "echo c >> chain.ran", "d") +
        shell("d", "echo d >> chain.ran; export RUNNABLE_PRM_done=yes", "success"),
    );
    await writeFile(join(dir, "chain.yaml"), broken);
    expect((await runCli(["execute", "-f", "chain.yaml", "--run-id", "chain-1", "--no-output"], { cwd: dir })).code).toBe(1);
    await writeFile(join(dir, "chain.yaml"), broken.replace('"exit 1"', '"echo b >> chain.ran"'));
    const rerun = await runCli(["execute", "-f", "chain.yaml", "--use-cached", "chain-1", "--run-id", "chain-2", "--no-output"], { cwd: dir });
    expect(rerun.code, rerun.stderr).toBe(0);
    const log = await readRunLog(dir, "chain-2");
    expect(statuses(log.steps)).toEqual({ a: "SUCCESS", b: "SUCCESS", c: "SUCCESS", d: "SUCCESS", success: "SUCCESS" });
    expect(log.steps.a.mock).toBe(true);
    expect(log.parameters).toEqual({ done: "yes" });
    expect(await counts("chain.ran")).toEqual({ a: 1, b: 1, c: 1, d: 1 });
  });

  it("re-runs only the failed items of a map; the others' steps are recorded mocked and their outputs restored", async () => {
    const steps =
      shell("make", 'export RUNNABLE_PRM_items=\'["p", "q", "r"]\'', "each") +
      `    each:\n      type: map\n      iterate_on: items\n      iterate_as: item\n      next: success\n      branch:\n        start_at: work\n        steps:\n` +
      `          work:\n            type: task\n            command_type: shell\n            command: 'item=$(echo $RUNNABLE_PRM_item | tr -d \\"); echo $item >> map.ran; test -e ok-$item || exit 3; export RUNNABLE_PRM_out=\\"done-$item\\"'\n            next: success\n` +
      `          success:\n            type: success\n          fail:\n            type: fail\n`;
    await writeFile(join(dir, "map.yaml"), pipeline("make", steps));
    await writeFile(join(dir, "ok-p"), "");
    await writeFile(join(dir, "ok-r"), "");
    expect((await runCli(["execute", "-f", "map.yaml", "--run-id", "map-1", "--no-output"], { cwd: dir })).code).toBe(1);
    await writeFile(join(dir, "ok-q"), "");
    await rm(join(dir, "map.ran"));
    const rerun = await runCli(["execute", "-f", "map.yaml", "--use-cached", "map-1", "--run-id", "map-2", "--no-output"], { cwd: dir });
    expect(rerun.code, rerun.stderr).toBe(0);
    const log = await readRunLog(dir, "map-2");
    expect(log.steps.make.mock).toBe(true);
    expect(log.steps.each.mock).toBe(false);
    const branch = (item: string) => log.steps.each.branches[`each.${item}`].steps[`each.${item}.work`];
    expect(branch("p")).toMatchObject({ mock: true, status: "SUCCESS", attempts: [] });
    expect(branch("q")).toMatchObject({ mock: false, status: "SUCCESS" });
    expect(log.parameters.out).toEqual(["done-p", "done-q", "done-r"]);
    expect(await counts("map.ran")).toEqual({ q: 1 });
  });

  it("says clearly when the original run does not exist", async () => {
    const result = await runCli(["execute", "-f", "chain.yaml", "--use-cached", "no-such-run"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Expected a run log with id: no-such-run but it does not exist");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("runnable retry: the same run continued", () => {
  it("appends new attempts, keeps what succeeded, drops the old fail step and recomputes the status", async () => {
    const broken = pipeline(
      "a",
      shell("a", "echo a >> retry.ran; export RUNNABLE_PRM_x=1", "b") +
        shell("b", "echo b >> retry.ran; test -e fixed-b", "c") +
        shell("c", "echo c >> retry.ran", "success"),
    );
    await writeFile(join(dir, "retry.yaml"), broken);
    expect((await runCli(["execute", "-f", "retry.yaml", "--run-id", "retry-1", "--no-output"], { cwd: dir })).code).toBe(1);
    expect(Object.keys((await readRunLog(dir, "retry-1")).steps)).toEqual(["a", "b", "fail"]);
    await writeFile(join(dir, "fixed-b"), "");
    const retried = await runCli(["retry", "retry-1", "--no-output"], { cwd: dir });
    expect(retried.code, retried.stderr).toBe(0);
    const log = await readRunLog(dir, "retry-1");
    expect(log.status).toBe("SUCCESS");
    expect(Object.keys(log.steps)).toEqual(["a", "b", "c", "success"]);
    expect(log.steps.a.attempts.map((a: { attempt_number: number }) => a.attempt_number)).toEqual([1]);
    expect(log.steps.b.attempts.map((a: { attempt_number: number; status: string }) => [a.attempt_number, a.status])).toEqual([
      [1, "FAIL"],
      [2, "SUCCESS"],
    ]);
    expect(log.steps.c.attempts[0].parameters).toEqual({ x: 1 });
    expect(log.parameters).toEqual({ x: 1 });
    expect(await counts("retry.ran")).toEqual({ a: 1, b: 2, c: 1 });
    expect(await contractErrors(log)).toEqual([]);
  });

  it("re-runs only the failed items of a partly finished map, attempts numbered on", async () => {
    await rm(join(dir, "ok-q"));
    await rm(join(dir, "map.ran"), { force: true });
    expect((await runCli(["execute", "-f", "map.yaml", "--run-id", "map-3", "--no-output"], { cwd: dir })).code).toBe(1);
    await writeFile(join(dir, "ok-q"), "");
    const retried = await runCli(["retry", "map-3", "--no-output"], { cwd: dir });
    expect(retried.code, retried.stderr).toBe(0);
    const log = await readRunLog(dir, "map-3");
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.each.attempts.map((a: { status: string }) => a.status)).toEqual(["FAIL", "SUCCESS"]);
    const work = (item: string) => log.steps.each.branches[`each.${item}`].steps[`each.${item}.work`];
    expect(work("p").attempts).toHaveLength(1);
    expect(work("q").attempts.map((a: { attempt_number: number }) => a.attempt_number)).toEqual([1, 2]);
    expect(Object.keys(log.steps.each.branches["each.q"].steps)).toEqual(["each.q.work", "each.q.success"]);
    expect(log.parameters.out).toEqual(["done-p", "done-q", "done-r"]);
    expect(await counts("map.ran")).toEqual({ p: 1, q: 2, r: 1 });
  });

  it("uses the pipeline file given explicitly, with a warning", async () => {
    const result = await runCli(["execute", "-f", "examples/retry-fail.yaml", "--run-id", "wf-2", "--no-output"], { cwd: dir });
    expect(result.code).toBe(1);
    const retried = await runCli(["retry", "wf-2", "-f", "examples/retry-fixed.yaml", "--no-output"], { cwd: dir });
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toContain(
      "using the pipeline file examples/retry-fixed.yaml given on the command line instead of the run's own (examples/retry-fail.yaml)",
    );
    expect((await readRunLog(dir, "wf-2")).run_config.pipeline_file).toBe("examples/retry-fixed.yaml");
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
