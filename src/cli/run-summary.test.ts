import { describe, expect, it } from "vitest";
import { newStepLog, type BranchLog, type RunLog, type StepLog } from "../core/run-log.js";
import { sampleRunConfig } from "../testing/contracts/run-log-store.contract.js";
import { renderRunSummary } from "./run-summary.js";

function step(internalName: string, status: StepLog["status"], micros: number, type = "task"): StepLog {
  const log = newStepLog(internalName.split(".").at(-1)!, internalName, type);
  log.status = status;
  const duration = `0:00:00.${String(micros).padStart(6, "0")}`;
  log.attempts.push({
    attempt_number: 1,
    start_time: "2026-01-01 00:00:00.000000",
    end_time: "2026-01-01 00:00:00.000000",
    duration,
    status,
    message: status === "FAIL" ? "boom" : "",
    parameters: {},
  });
  return log;
}

function bigMap(items: number, failing: number[]): RunLog {
  const m = step("m", failing.length ? "FAIL" : "SUCCESS", 5000, "map");
  for (let i = 0; i < items; i++) {
    const status = failing.includes(i) ? "FAIL" : "SUCCESS";
    const work = step(`m.${i}.work`, status, 1000 + i);
    const branch: BranchLog = { internal_name: `m.${i}`, status, steps: { [work.internal_name]: work } };
    m.branches[branch.internal_name] = branch;
  }
  return {
    run_id: "big",
    dag_hash: "",
    use_cached: false,
    tag: null,
    original_run_id: "",
    status: m.status,
    steps: { m },
    parameters: { items: Array.from({ length: items }, (_, i) => i) },
    run_config: sampleRunConfig("big"),
  };
}

describe("run summary", () => {
  it("summarises 10,000 branches in a few lines, failed branches first, quickly", () => {
    const log = bigMap(10_000, [42, 9_000]);
    const started = performance.now();
    const text = renderRunSummary(log, { color: false, branchLimit: 3 });
    expect(performance.now() - started).toBeLessThan(1000);
    const lines = text.trimEnd().split("\n");
    expect(lines.length).toBeLessThan(30);
    expect(text).toContain("10000 branches: 9998 SUCCESS, 2 FAIL; durations median 0.006 s, slowest 0.011 s (m.9999)");
    const shown = lines.filter((line) => line.includes("branch m.")).map((line) => line.trim().split(/\s+/)[1]);
    expect(shown).toEqual(["m.42", "m.9000", "m.0"]);
    expect(text).toContain("… 9997 more branches (use --branches N to show more)");
    expect(text).toContain("attempt 1: FAIL boom");
    expect(text).toMatch(/items = \[0,1,2,.*…/);
  });

  it("marks object and metric parameters with their kind", () => {
    const log: RunLog = { ...bigMap(1, []), parameters: { df: "df", score: 0.9, x: 1 }, parameter_kinds: { df: "object", score: "metric" } };
    const text = renderRunSummary(log, { color: false, branchLimit: 1 });
    expect(text).toContain('  df = "df"  (object)\n  score = 0.9  (metric)\n  x = 1\n');
  });

  it("lists every branch when the limit allows and leaves out statistics for one or two branches", () => {
    const text = renderRunSummary(bigMap(2, []), { color: false, branchLimit: 5 });
    expect(text).toContain("2 branches: 2 SUCCESS\n");
    expect(text).toContain("branch m.0  SUCCESS");
    expect(text).toContain("branch m.1  SUCCESS");
    expect(text).not.toContain("more branches");
  });

  it("shows metric values: plain ones as key = value, step-wise ones with their last step and values", () => {
    const log = bigMap(1, []);
    const work = log.steps.m!;
    work.user_defined_metrics = { answer: 42, spam: { "0": "hello", "1": "hey" }, loss: { "1": 0.5, "2": 0.25 } };
    const text = renderRunSummary(log, { color: false, branchLimit: 1 });
    expect(text).toContain("metric answer = 42\n");
    expect(text).toContain('metric spam = "hey" at step 1 (2 steps: "hello", "hey")');
    expect(text).toContain("metric loss = 0.25 at step 2 (2 steps: 0.5, 0.25)");
  });
});
