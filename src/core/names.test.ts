import { describe, expect, it } from "vitest";
import { MAP_PLACEHOLDER, executionLogName, resolveName, stepNameProblem, utf8Bytes } from "./names.js";

describe("internal names", () => {
  it("resolves map placeholders left to right", () => {
    const name = `outer.${MAP_PLACEHOLDER}.par.a.inner.${MAP_PLACEHOLDER}.leaf`;
    expect(
      resolveName(name, [
        ["i", 1],
        ["j", "x.csv"],
      ]),
    ).toBe("outer.1.par.a.inner.x.csv.leaf");
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

describe("name rules (issue 11: names that break file names are refused, long log names are cut)", () => {
  it.each([
    ["a\u0000b", "control characters"],
    ["a\nb", "control characters"],
    ["tab\there", "control characters"],
    ["a/b", '"/" or "\\"'],
    ["a\\b", '"/" or "\\"'],
    ["x".repeat(201), "201 bytes long"],
    ["é".repeat(101), "202 bytes long"],
    ["bad\ud800", "lone surrogate"],
    ["  ", "cannot be empty"],
  ])("refuses %j", (name, reason) => {
    expect(stepNameProblem(name)).toContain(reason);
  });

  it("accepts ordinary names, unicode included", () => {
    for (const name of ["step 1", "données", "训练", "a-b_c", "x".repeat(200)]) expect(stepNameProblem(name)).toBeUndefined();
  });

  it("keeps execution log names within 255 bytes and distinct", () => {
    const deep = Array.from({ length: 12 }, (_, i) => `branch-${"b".repeat(20)}${i}.p`).join(".") + ".leaf";
    const long = executionLogName(deep, []);
    expect(utf8Bytes(long)).toBeLessThanOrEqual(255);
    expect(long).toMatch(/\.execution\.log$/);
    const a = executionLogName(`m.${MAP_PLACEHOLDER}.s`, [["i", "a".repeat(400)]]);
    const b = executionLogName(`m.${MAP_PLACEHOLDER}.s`, [["i", `${"a".repeat(399)}b`]]);
    expect(utf8Bytes(a)).toBeLessThanOrEqual(255);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^s\.execution\.log_a+~[0-9a-f]{16}$/);
  });
});

describe("utf8Bytes", () => {
  it("counts what TextEncoder encodes, lone surrogates included", () => {
    const cases = ["", "abc", "é", "😀", "a😀b", "\ud800", "\udc00x", "\ud800\ud800", "中文", "\u07ff\u0800\uffff"];
    for (let i = 0; i < 500; i++) cases.push(Array.from({ length: 6 }, (_, j) => String.fromCharCode((i * 7919 + j * 104_729) % 0x10000)).join(""));
    for (const text of cases) expect(utf8Bytes(text), JSON.stringify(text)).toBe(new TextEncoder().encode(text).length);
  });
});
