// Parallel, map and dag steps end to end: runnable's examples through the real CLI (YAML and
// TypeScript), then fan-in, conflicts, reducers and awkward map items through the SDK.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractErrors, readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { branchesOf, inScratch, statuses, stepsOf } from "./helpers/composite.js";
import { map, parallel, pipeline, shell, stub, typescript } from "../src/sdk/index.js";

type Log = Record<string, any>;

interface Case {
  files: string[];
  code: number;
  status: "SUCCESS" | "FAIL";
  steps: Record<string, string>;
  parameters?: Record<string, unknown>;
  check?: (log: Log, dir: string) => Promise<void> | void;
}

const CASES: Case[] = [
  {
    files: ["examples/concepts/parallel.yaml", "examples/typescript/parallel.ts"],
    code: 0,
    status: "SUCCESS",
    steps: { "Get Features": "SUCCESS", "Train Models": "SUCCESS", "Ensemble Modelling": "SUCCESS", "Run Inference": "SUCCESS", success: "SUCCESS" },
    check: (log) => {
      const train = log.steps["Train Models"];
      expect(Object.keys(train.branches)).toEqual(["Train Models.XGBoost", "Train Models.RF model"]);
      expect(statuses(stepsOf(log, "Train Models", "Train Models.XGBoost"))).toMatchObject({
        "Train Models.XGBoost.Prepare for XGBoost": "SUCCESS",
        "Train Models.XGBoost.Train XGBoost": "SUCCESS",
        "Train Models.XGBoost.XGBoost success": "SUCCESS",
      });
      expect(statuses(stepsOf(log, "Train Models", "Train Models.RF model"))).toMatchObject({
        "Train Models.RF model.Train RF Model": "SUCCESS",
        "Train Models.RF model.RF Model Success": "SUCCESS",
      });
      for (const branch of branchesOf(log, "Train Models")) expect(branch.status).toBe("SUCCESS");
    },
  },
  {
    files: ["examples/parallel-fail.yaml", "examples/typescript/parallel-fail.ts"],
    code: 1,
    status: "FAIL",
    steps: { "step 1": "SUCCESS", "step 2": "FAIL", fail: "SUCCESS" },
    check: (log) => {
      const a = log.steps["step 2"].branches["step 2.branch_a"];
      const b = log.steps["step 2"].branches["step 2.branch_b"];
      expect(a.status).toBe("FAIL");
      expect(statuses(a.steps)).toEqual({ "step 2.branch_a.step 1": "FAIL", "step 2.branch_a.fail": "SUCCESS" });
      expect(a.steps["step 2.branch_a.step 1"].attempts[0].message).toBe("Command failed with exit code 1");
      expect(b.status).toBe("SUCCESS");
      expect(statuses(b.steps)).toEqual({ "step 2.branch_b.step 1": "SUCCESS", "step 2.branch_b.step 2": "SUCCESS", "step 2.branch_b.success": "SUCCESS" });
      expect(log.steps["step 2"].message).toBe("1 of 2 branches failed: step 2.branch_a");
    },
  },
  {
    files: ["examples/concepts/map_shell.yaml", "examples/typescript/map-shell.ts"],
    code: 0,
    status: "SUCCESS",
    steps: { "chunk files": "SUCCESS", "iterate and execute": "SUCCESS", success: "SUCCESS" },
    parameters: { stride: 10, chunks: [0, 10, 20, 30, 40], end_index: [10, 20, 30, 40, 50] },
    check: async (log, dir) => {
      const items = [0, 10, 20, 30, 40];
      expect(Object.keys(log.steps["iterate and execute"].branches)).toEqual(items.map((i) => `iterate and execute.${i}`));
      for (const item of items) {
        const branch = log.steps["iterate and execute"].branches[`iterate and execute.${item}`];
        expect(branch.status).toBe("SUCCESS");
        // Branch-scoped parameters: the item and what the branch set; the iterated list is recorded once, on the map step.
        expect(branch.parameters).toEqual({ stride: 10, start_index: item, end_index: item + 10 });
        const execute = branch.steps[`iterate and execute.${item}.execute`];
        expect(execute.attempts[0].parameters).toEqual({ stride: 10, start_index: item });
        const logEntry = execute.data_catalog.find((e: any) => e.name === `execute.execution.log_${item}`);
        expect(logEntry).toBeDefined();
        const text = await readFile(join(dir, ".catalog", log.run_id, `execute.execution.log_${item}`), "utf8");
        expect(text).toContain(`{"start_index":${item}}`);
      }
      expect(log.steps["iterate and execute"].attempts[0].parameters).toEqual({ stride: 10, chunks: items });
    },
  },
  {
    files: ["examples/concepts/nesting.yaml", "examples/typescript/nesting.ts"],
    code: 0,
    status: "SUCCESS",
    steps: { generate_list: "SUCCESS", "outer most map": "SUCCESS", success: "SUCCESS" },
    check: (log) => {
      const leaves: string[] = [];
      for (const x of [0, 1]) {
        const outer = `outer most map.${x}`;
        const nested = log.steps["outer most map"].branches[outer].steps[`${outer}.nested parallel`];
        expect(Object.keys(nested.branches)).toEqual([`${outer}.nested parallel.a`, `${outer}.nested parallel.b`]);
        for (const p of ["a", "b"]) {
          const inner = nested.branches[`${outer}.nested parallel.${p}`].steps[`${outer}.nested parallel.${p}.inner most map`];
          for (const y of [0, 1]) {
            const branch = inner.branches[`${outer}.nested parallel.${p}.inner most map.${y}`];
            expect(branch.parameters).toMatchObject({ xarg: x, yarg: y });
            expect(branch.parameters).not.toHaveProperty("array");
            for (const [name, step] of Object.entries<any>(branch.steps)) if (step.step_type === "stub") leaves.push(name);
          }
        }
      }
      expect(leaves).toHaveLength(8);
      expect(leaves).toContain("outer most map.1.nested parallel.b.inner most map.0.executable");
    },
  },
  {
    files: ["examples/concepts/map_reducer.yaml", "examples/typescript/map-reducer.ts"],
    code: 0,
    status: "SUCCESS",
    steps: { "list files": "SUCCESS", "count letters": "SUCCESS", report: "SUCCESS", success: "SUCCESS" },
    parameters: { files: ["a.csv", "b c.csv", "x.y.z"], letters: 17 },
    check: (log) => {
      const keys = ["count letters.a.csv", "count letters.b c.csv", "count letters.x.y.z"];
      expect(Object.keys(log.steps["count letters"].branches)).toEqual(keys);
      expect(keys.map((k) => log.steps["count letters"].branches[k].parameters.letters)).toEqual([5, 7, 5]);
      expect(Object.keys(log.steps["count letters"].branches["count letters.b c.csv"].steps)).toEqual([
        "count letters.b c.csv.count",
        "count letters.b c.csv.success",
      ]);
    },
  },
  {
    files: ["examples/concepts/nested_dag.yaml", "examples/typescript/nested-dag.ts"],
    code: 0,
    status: "SUCCESS",
    steps: { prepare: "SUCCESS", nested: "SUCCESS", report: "SUCCESS", success: "SUCCESS" },
    parameters: { greeting: "hello", reply: "hello from the nested pipeline" },
    check: (log) => {
      expect(Object.keys(log.steps.nested.branches)).toEqual(["nested.dag"]);
      expect(statuses(log.steps.nested.branches["nested.dag"].steps)).toEqual({ "nested.dag.inner": "SUCCESS", "nested.dag.success": "SUCCESS" });
    },
  },
];

describe("composite examples run end to end with the real CLI", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
  afterAll(() => cleanup());

  const rows = CASES.flatMap((c, i) => c.files.map((file, j) => [file, i, j] as const));
  it.each(rows)("%s", async (file, index, variant) => {
    const c = CASES[index]!;
    const runId = `composite-${index}-${variant}`;
    const result = await runCli(["execute", "-f", file, "--run-id", runId], { cwd: dir });
    expect(result.code, result.stderr + result.stdout).toBe(c.code);
    const log = await readRunLog(dir, runId);
    expect(await contractErrors(log)).toEqual([]);
    expect(log.status).toBe(c.status);
    expect(statuses(log.steps)).toEqual(c.steps);
    if (c.parameters) expect(log.parameters).toMatchObject(c.parameters);
    await c.check?.(log, dir);
  });

  it("summarises a map's branches in `runs show` instead of listing every one", async () => {
    const result = await runCli(["runs", "show", "composite-2-0"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/5 branches: 5 SUCCESS; durations median \d+\.\d{3} s, slowest \d+\.\d{3} s \(iterate and execute\.\d+\)/);
    expect(result.stdout).toContain("branch iterate and execute.40  SUCCESS");
    const fewer = await runCli(["runs", "show", "composite-2-0", "--branches", "2"], { cwd: dir });
    expect(fewer.stdout).toContain("branch iterate and execute.10  SUCCESS");
    expect(fewer.stdout).not.toContain("branch iterate and execute.20");
    expect(fewer.stdout).toContain("… 3 more branches (use --branches N to show more)");
  });
});

describe("fan-in through the SDK", () => {
  it("merges what parallel branches set and reports a conflict instead of letting the last one win", async () => {
    await inScratch({}, async (options) => {
      const sets = (values: Record<string, unknown>) => pipeline({ steps: [typescript({ name: "set", function: () => values })] });
      const ok = await pipeline({
        steps: [parallel({ name: "fan", branches: { a: sets({ x: 1, same: true }), b: sets({ y: 2, same: true }) } })],
      }).execute(options);
      expect(ok.parameters).toEqual({ x: 1, same: true, y: 2 });
      expect(ok.steps.fan!.branches["fan.a"]!.parameters).toEqual({ x: 1, same: true });

      const clash = pipeline({
        steps: [parallel({ name: "fan", branches: { a: sets({ x: 1 }), b: sets({ x: 2 }) }, onFailure: "recover" }), stub({ name: "recover" })],
      });
      const log = await clash.execute(options);
      expect(log.status).toBe("SUCCESS");
      expect(log.steps.fan!.status).toBe("FAIL");
      expect(log.steps.fan!.message).toMatch(/parameter conflict at fan-in: branches "fan.a" and "fan.b" both set "x" to different values \(1 and 2\)/);
      expect(log.parameters).not.toHaveProperty("x");
      expect(statuses(log.steps)).toEqual({ fan: "FAIL", recover: "SUCCESS", success: "SUCCESS" });
    });
  });

  it("runs map items holding dots, spaces, numbers and repeats safely, collecting values in item order", async () => {
    const items = ["a.csv", "x y", 1.5, "a.csv", { k: "v" }];
    for (const store of ["buffered", "file-system", "chunked-fs"]) {
      await inScratch({ run_log_store: { type: store } }, async (options, reopen) => {
        const branch = pipeline({ steps: [typescript({ name: "echo", function: ({ item }: { item: unknown }) => ({ seen: item }) })] });
        const built = pipeline({
          steps: [typescript({ name: "list", function: () => ({ items }) }), map({ name: "m", iterateOn: "items", iterateAs: "item", branch })],
        });
        const log = await built.execute(options);
        const again = store === "buffered" ? log : await reopen(log.run_id);
        for (const read of [log, again]) {
          expect(read.parameters.seen, store).toEqual(items);
          expect(Object.keys(read.steps.m!.branches)).toEqual(["m.a.csv", "m.x y", "m.1.5", "m.a.csv#3", 'm.{"k":"v"}']);
          expect(Object.keys(read.steps.m!.branches["m.x y"]!.steps)).toEqual(["m.x y.echo", "m.x y.success"]);
          expect(read.steps.m!.branches["m.a.csv#3"]!.parameters).toEqual({ item: "a.csv", seen: "a.csv" });
          expect(await contractErrors(read)).toEqual([]);
        }
      });
    }
  });

  it("fails a map whose list is missing or not a list, following on_failure", async () => {
    await inScratch({}, async (options) => {
      const branch = pipeline({ steps: [stub({ name: "noop" })] });
      const missing = await pipeline({
        steps: [map({ name: "m", iterateOn: "nope", iterateAs: "i", branch, onFailure: "after" }), stub({ name: "after" })],
      }).execute(options);
      expect(missing.steps.m!.status).toBe("FAIL");
      expect(missing.steps.m!.message).toMatch(/^Expected parameter nope not present/);
      const scalar = await pipeline({
        steps: [typescript({ name: "set", function: () => ({ nope: 3 }) }), map({ name: "m", iterateOn: "nope", iterateAs: "i", branch })],
      }).execute({ ...options, throwOnFailure: false });
      expect(scalar.status).toBe("FAIL");
      expect(scalar.steps.m!.message).toMatch(/^Only list is allowed as a valid iterator type: parameter nope of map "m" is the number 3/);
      const empty = await pipeline({
        steps: [typescript({ name: "set", function: () => ({ nope: [] }) }), map({ name: "m", iterateOn: "nope", iterateAs: "i", branch })],
      }).execute(options);
      expect(empty.steps.m).toMatchObject({ status: "SUCCESS", branches: {} });
    });
  });

  it("keeps metrics and changes of a failed map branch out of the parent; the step names the failed branches", async () => {
    await inScratch({}, async (options) => {
      const branch = pipeline({
        steps: [
          shell({ name: "work", command: 'export RUNNABLE_PRM_out=$RUNNABLE_PRM_i; export RUNNABLE_TRACK_seen=$RUNNABLE_PRM_i; test "$RUNNABLE_PRM_i" != 2' }),
        ],
      });
      const log = await pipeline({
        steps: [typescript({ name: "list", function: () => ({ items: [1, 2, 3] }) }), map({ name: "m", iterateOn: "items", iterateAs: "i", branch })],
      }).execute({ ...options, throwOnFailure: false });
      expect(log.status).toBe("FAIL");
      expect(log.steps.m!.message).toBe("1 of 3 branches failed: m.2");
      expect(log.parameters).not.toHaveProperty("out");
      expect(log.steps.m!.branches["m.1"]!.steps["m.1.work"]!.user_defined_metrics).toEqual({ seen: 1 });
      expect(log.steps.m!.branches["m.3"]!.parameters).toMatchObject({ out: 3 });
    });
  });
});
