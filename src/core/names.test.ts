import { describe, expect, it } from "vitest";
import { MAP_PLACEHOLDER, executionLogName, resolveName } from "./names.js";

describe("internal names", () => {
  it("resolves map placeholders left to right", () => {
    const name = `outer.${MAP_PLACEHOLDER}.par.a.inner.${MAP_PLACEHOLDER}.leaf`;
    expect(resolveName(name, [["i", 1], ["j", "x.csv"]])).toBe("outer.1.par.a.inner.x.csv.leaf");
  });
});

describe("execution log names", () => {
  it("keeps runnable's names at the top level and inside maps", () => {
    expect(executionLogName("step 1", [])).toBe("step_1.execution.log");
    expect(executionLogName(`iterate and execute.${MAP_PLACEHOLDER}.execute`, [["chunk", 10]])).toBe("execute.execution.log_10");
  });

  it("tells same-named steps of different parallel branches (and dag branches) apart", () => {
    const a = executionLogName("train.xgboost.fit", []);
    const b = executionLogName("train.lightgbm.fit", []);
    expect(a).toBe("train.xgboost.fit.execution.log");
    expect(b).toBe("train.lightgbm.fit.execution.log");
    expect(executionLogName(`m.${MAP_PLACEHOLDER}.nested dag.dag.inner`, [["x", "a/b"]])).toBe("nested_dag.dag.inner.execution.log_a_b");
  });
});
