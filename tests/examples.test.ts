import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractErrors, readRunLog, runCli, runMain, scratchDir } from "./helpers/cli.js";

interface Case {
  file: string;
  args?: string[];
  code: number;
  status: "SUCCESS" | "FAIL";
  /** Top-level step names (in order) and their statuses. */
  steps: Record<string, string>;
  parameters?: Record<string, unknown>;
  check?: (runLog: Record<string, any>, dir: string) => Promise<void> | void;
}

const CASES: Case[] = [
  {
    file: "examples/concepts/traversal.yaml",
    code: 0,
    status: "SUCCESS",
    steps: { "step 1": "SUCCESS", "step 2": "SUCCESS", "step 3": "SUCCESS", success: "SUCCESS" },
  },
  {
    file: "examples/contrived.yaml",
    code: 0,
    status: "SUCCESS",
    steps: { "Acquire Data": "SUCCESS", "Prepare Data": "SUCCESS", "Extract Features": "SUCCESS", Model: "SUCCESS", success: "SUCCESS" },
  },
  {
    file: "examples/mocking.yaml",
    code: 0,
    status: "SUCCESS",
    steps: { "step 1": "SUCCESS", "step 2": "SUCCESS", "step 3": "SUCCESS", success: "SUCCESS" },
    check: (log) => expect(log.run_config.dag.steps["step 2"]).toMatchObject({ what: "is this thing", It: "does not matter!!" }),
  },
  {
    file: "examples/default-fail.yaml",
    code: 1,
    status: "FAIL",
    steps: { "step 1": "SUCCESS", "step 2": "FAIL", fail: "SUCCESS" },
    check: (log) => expect(log.steps["step 2"].attempts[0].message).toBe("Command failed with exit code 1"),
  },
  { file: "examples/on-failure.yaml", code: 0, status: "SUCCESS", steps: { "step 1": "FAIL", "step 3": "SUCCESS", success: "SUCCESS" } },
  {
    file: "examples/concepts/task_shell_simple.yaml",
    code: 0,
    status: "SUCCESS",
    steps: { shell: "SUCCESS", success: "SUCCESS" },
    check: async (log, dir) => {
      const entry = log.steps.shell.data_catalog[0];
      expect(entry).toMatchObject({ name: "shell.execution.log", stage: "put", catalog_handler_location: ".catalog" });
      expect(entry.catalog_relative_path).toBe(`${log.run_id}/shell.execution.log`);
      expect(await readFile(join(dir, ".catalog", log.run_id, "shell.execution.log"), "utf8")).toContain("Hello world!!");
    },
  },
  {
    file: "examples/concepts/task_shell_parameters.yaml",
    args: ["-p", "examples/concepts/parameters.yaml"],
    code: 0,
    status: "SUCCESS",
    steps: { "access initial": "SUCCESS", "modify initial": "SUCCESS", "display again": "SUCCESS", success: "SUCCESS" },
    parameters: { spam: "Universe", eggs: { ham: "Maybe, one more.." }, simple: 10, inner: { x: 30 } },
    check: (log) => {
      expect(log.steps["access initial"].attempts[0].parameters).toEqual({ spam: "Hello", eggs: { ham: "Yes, please!!" } });
      expect(log.steps["display again"].attempts[0].parameters).toMatchObject({ simple: 10, inner: { x: 30 } });
    },
  },
  {
    file: "examples/catalog.yaml",
    args: ["-c", "examples/configs/fs-catalog.yaml"],
    code: 0,
    status: "SUCCESS",
    steps: { Setup: "SUCCESS", "Create Content": "SUCCESS", "Delete Content": "SUCCESS", "Retrieve Content": "SUCCESS", success: "SUCCESS" },
    check: async (log, dir) => {
      const put = log.steps["Create Content"].data_catalog.find((e: any) => e.name === "data/hello.txt");
      const got = log.steps["Retrieve Content"].data_catalog.find((e: any) => e.name === "data/hello.txt");
      expect(put).toMatchObject({ stage: "put", data_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(got).toMatchObject({ stage: "get", data_hash: put.data_hash });
      expect(await readFile(join(dir, ".catalog", log.run_id, "data/hello.txt"), "utf8")).toBe("Hello from runnable\n");
    },
  },
  {
    file: "examples/retry.yaml",
    code: 0,
    status: "SUCCESS",
    steps: { flaky: "SUCCESS", success: "SUCCESS" },
    parameters: { succeeded_on: 3 },
    check: (log) => {
      const attempts = log.steps.flaky.attempts;
      expect(attempts.map((a: any) => [a.attempt_number, a.status])).toEqual([
        [1, "FAIL"],
        [2, "FAIL"],
        [3, "SUCCESS"],
      ]);
      expect(attempts[0].message).toBe("Command failed with exit code 1");
    },
  },
  {
    file: "examples/shell-outputs.yaml",
    code: 0,
    status: "SUCCESS",
    steps: { produce: "SUCCESS", consume: "SUCCESS", success: "SUCCESS" },
    parameters: { greeting: "hello world", query: "a=1&b=2", poem: "roses are red\nviolets are blue", items: [1, 2, 3] },
    check: async (log, dir) => {
      const text = await readFile(join(dir, ".catalog", log.run_id, "produce.execution.log"), "utf8");
      expect(text).toContain("to stderr");
    },
  },
  { file: "examples/terminals-omitted.yaml", code: 0, status: "SUCCESS", steps: { hello: "SUCCESS", success: "SUCCESS" } },
  {
    file: "examples/quickstart/pipeline.yaml",
    code: 0,
    status: "SUCCESS",
    steps: { generate: "SUCCESS", summarise: "SUCCESS", report: "SUCCESS", success: "SUCCESS" },
    parameters: { count: 100, mean: 50.5, max: 100 },
    check: (log) => {
      expect(log.steps.summarise.user_defined_metrics).toMatchObject({ mean: 50.5, max: 100, running_mean: { "25": 13, "50": 25.5, "75": 38, "100": 50.5 } });
    },
  },
  {
    file: "examples/typescript/functions.yaml",
    args: ["-p", "examples/concepts/parameters.yaml"],
    code: 0,
    status: "SUCCESS",
    steps: { prepare: "SUCCESS", train: "SUCCESS", report: "SUCCESS", success: "SUCCESS" },
    parameters: { spam: "Hello", eggs: { ham: "Yes, please!!" }, x: 1, y: { foo: 10, bar: "hello world" }, score: 20, trained: true },
    check: (log) => expect(log.steps.train.user_defined_metrics).toEqual({ loss: { "0": 1, "1": 0.5, "2": 1 / 3 }, run: true }),
  },
  {
    file: "examples/typescript/pipeline.ts",
    args: ["-p", "examples/concepts/parameters.yaml"],
    code: 0,
    status: "SUCCESS",
    steps: { prepare: "SUCCESS", train: "SUCCESS", report: "SUCCESS", archive: "SUCCESS", finish: "SUCCESS", success: "SUCCESS" },
    parameters: { score: 20, trained: true },
    check: (log) => {
      expect(log.run_config.pipeline_file).toBe("examples/typescript/pipeline.ts");
      expect(log.steps.archive.data_catalog.map((e: any) => e.name)).toContain("out/marker.txt");
    },
  },
  {
    file: "examples/returns/pipeline.yaml",
    args: ["-p", "examples/returns/parameters.yaml"],
    code: 0,
    status: "SUCCESS",
    steps: { train: "SUCCESS", evaluate: "SUCCESS", shell: "SUCCESS", each: "SUCCESS", success: "SUCCESS" },
    parameters: { doubled: 6, score: 0.9, model: "model", prediction: 9, others: ["rows", "score", "settings"], chunks: [1, 2, 3], squared: 14 },
    check: async (log, dir) => {
      expect(log.parameter_kinds).toEqual({ score: "metric", model: "object" });
      expect(log.steps.train.user_defined_metrics).toEqual({ score: 0.9 });
      expect(log.steps.train.attempts[0].output_parameter_kinds).toEqual({ score: "metric", model: "object" });
      expect(log.steps.evaluate.attempts[0].parameter_kinds).toEqual({ score: "metric", model: "object" });
      expect(log.steps.each.branches["each.2"].parameters.squared).toBe(4);
      expect((await readFile(join(dir, ".catalog", log.run_id, "model.dill"))).length).toBeGreaterThan(0);
    },
  },
  {
    file: "examples/typescript/returns.ts",
    code: 0,
    status: "SUCCESS",
    steps: { rows: "SUCCESS", fit: "SUCCESS", use: "SUCCESS", success: "SUCCESS" },
    parameters: { rows: [3, 1, 2], score: 0.75, model: "model", total: 6 },
    check: (log) => expect([log.parameter_kinds, log.steps.fit.user_defined_metrics]).toEqual([{ score: "metric", model: "object" }, { score: 0.75 }]),
  },
  {
    file: "examples/typescript/on-failure.ts",
    code: 0,
    status: "SUCCESS",
    steps: { "step 1": "FAIL", "step 3": "SUCCESS", "step 4": "SUCCESS", success: "SUCCESS" },
    check: (log) => expect(log.steps["step 1"].attempts[0].message).toBe("TypeError: this task always fails"),
  },
];

/**
 * Examples run by a real `runnable` process (a run that succeeds, one that fails, and the quickstart,
 * whose TypeScript task reads a file by a relative path: in-process tasks resolve it against this
 * process's working directory); the others through main() in this process.
 */
const THROUGH_PROCESS = new Set(["examples/concepts/traversal.yaml", "examples/default-fail.yaml", "examples/quickstart/pipeline.yaml"]);

describe("examples run end to end with the real CLI", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
  afterAll(() => cleanup());

  it.each(CASES.map((c, i) => [c.file + (c.args ? ` ${c.args.join(" ")}` : ""), i] as const))("%s", async (_name, index) => {
    const c = CASES[index]!;
    const runId = `example-${index}`;
    const run = THROUGH_PROCESS.has(c.file) ? runCli : runMain;
    const result = await run(["execute", "-f", c.file, ...(c.args ?? []), "--run-id", runId], { cwd: dir });
    expect(result.code, result.stderr + result.stdout).toBe(c.code);
    const log = await readRunLog(dir, runId);
    expect(await contractErrors(log)).toEqual([]);
    expect(log.status).toBe(c.status);
    expect(Object.fromEntries(Object.entries(log.steps).map(([k, v]: [string, any]) => [k, v.status]))).toEqual(c.steps);
    if (c.parameters) expect(log.parameters).toMatchObject(c.parameters);
    await c.check?.(log, dir);
  });
});
