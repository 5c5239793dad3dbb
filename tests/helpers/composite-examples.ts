// runnable's composite examples (parallel, map, dag, nesting, reducer) with what their run logs must
// record: run through the real CLI (tests/composite.test.ts) and on the engine harness
// (tests/engine-composite.test.ts).
import { expect } from "vitest";
import { branchesOf, statuses, stepsOf } from "./composite.js";

type Log = Record<string, any>;

/** One example in YAML and in TypeScript, the run's status and what its log records. */
export interface CompositeCase {
  files: [yaml: string, typescript: string];
  code: number;
  status: "SUCCESS" | "FAIL";
  steps: Record<string, string>;
  parameters?: Record<string, unknown>;
  /** More checks; `catalogText(name)` reads a file of the run's catalog. */
  check?: (log: Log, catalogText: (name: string) => Promise<string>) => Promise<void> | void;
}

/** The examples. */
export const COMPOSITE_CASES: CompositeCase[] = [
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
    check: async (log, catalogText) => {
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
        const text = await catalogText(`execute.execution.log_${item}`);
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
