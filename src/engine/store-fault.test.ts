import { describe, expect, it } from "vitest";
import { RunnableError } from "../core/errors.js";
import { finishAfterFault } from "./store-fault.js";

const unavailable = () => new RunnableError("STORE_UNAVAILABLE", "postgres (db:5432) is unreachable: could not write run log");

/** A `finish` that fails with each of `failures` in turn, then succeeds; counts its calls. */
function finishing(failures: Error[]): { finish: () => Promise<void>; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    finish: async () => {
      const failure = failures[calls++];
      if (failure) throw failure;
    },
  };
}

describe("finishAfterFault", () => {
  it("records the run FAIL at once when the store answers", async () => {
    const warnings: string[] = [];
    const { finish, calls } = finishing([]);
    await finishAfterFault(finish, (m) => warnings.push(m), "run-1", 300);
    expect(calls()).toBe(1);
    expect(warnings).toEqual(["run run-1 is recorded FAIL"]);
  });

  it("waits for an unreachable store and records the run FAIL when it is back", async () => {
    const warnings: string[] = [];
    const { finish, calls } = finishing([unavailable()]);
    await finishAfterFault(finish, (m) => warnings.push(m), "run-2", 300);
    expect(calls()).toBe(2);
    expect(warnings).toEqual([
      "waiting up to 0 s for the run log store to come back, to record run run-2 FAIL",
      "the run log store answers again: run run-2 is recorded FAIL",
    ]);
  });

  it("gives up at the deadline, leaving the run PROCESSING for retry", async () => {
    const warnings: string[] = [];
    const { finish, calls } = finishing(Array.from({ length: 100 }, unavailable));
    const started = Date.now();
    await finishAfterFault(finish, (m) => warnings.push(m), "run-3", 200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(calls()).toBeGreaterThanOrEqual(2);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/^could not record run run-3 FAIL: postgres \(db:5432\) is unreachable: could not write run log; it stays PROCESSING/);
    expect(warnings[1]).toContain("`runnable retry run-3` continues it");
  });

  it("does not wait when the failure is not the store being away", async () => {
    const warnings: string[] = [];
    const { finish, calls } = finishing([new RunnableError("INTERNAL", "the run log is corrupt")]);
    await finishAfterFault(finish, (m) => warnings.push(m), "run-4", 5_000);
    expect(calls()).toBe(1);
    expect(warnings).toEqual([
      "could not record run run-4 FAIL: the run log is corrupt; it stays PROCESSING (STALE in `runnable runs list` once its lease lapses; `runnable retry run-4` continues it)",
    ]);
  });
});
