// Stops and time limits on the engine harness: the real engine stops real shell task processes (their
// whole process group) and records why. The CLI's side (signals to a real process, exit codes, a
// second signal, a killed CLI's watchdog, Python and TypeScript tasks) is in tests/stop.test.ts and
// tests/time-limit.test.ts.
import { describe, expect, it } from "vitest";
import type { StopReason } from "../src/core/stop.js";
import { executorOf, graphOf, realTaskServices, runGraph } from "../src/testing/engine-harness.js";
import { contractErrors } from "./helpers/cli.js";
import { statuses } from "./helpers/composite.js";
import { processesWith, until } from "./helpers/processes.js";

let counter = 0;
/** A sleep whose command line no other test uses, to find leftover processes by. */
const uniqueSleep = () => `sleep 30.${String(++counter).padStart(3, "0")}${process.pid % 1000}`;
const shell = (command: string, next: string, extra: Record<string, unknown> = {}) => ({ type: "task", command_type: "shell", command, next, ...extra });
const stub = (next: string) => ({ type: "stub", next });

/** Runs `graph`, stopping it with `reason` once a process with `marker` in its command line runs (or `ready()` holds). */
async function runAndStop(graph: ReturnType<typeof graphOf>, reason: StopReason, ready: () => boolean, options: Parameters<typeof realTaskServices>[0] = {}) {
  const stop = new AbortController();
  const running = runGraph(graph, await realTaskServices(options), { stop: { signal: stop.signal } });
  await until(ready, 30_000, "the task processes to run");
  stop.abort(reason);
  return running;
}

describe("a stopped run on the engine", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`${signal}: a shell task and its children stop, the attempt says why, the run is FAIL`, async () => {
      const sleep = uniqueSleep();
      const graph = graphOf({ start_at: "work", steps: { work: shell(`echo started; ${sleep} & ${uniqueSleep()}; wait`, "after"), after: stub("success") } });
      const log = await runAndStop(graph, { kind: "signal", signal }, () => processesWith(sleep).length > 0);
      await until(() => processesWith(sleep).length === 0, 5_000, "the task's processes to be gone");
      expect(log.status).toBe("FAIL");
      expect(Object.keys(log.steps)).toEqual(["work"]);
      expect(log.steps.work!.status).toBe("FAIL");
      expect(log.steps.work!.attempts).toHaveLength(1);
      expect(log.steps.work!.attempts[0]!.message).toBe(`interrupted by ${signal}: the run was stopped while this step was running`);
      expect(log.steps.work!.data_catalog.map((entry) => entry.name)).toEqual(["work.execution.log"]);
      expect(await contractErrors(log)).toEqual([]);
    });
  }

  it("stops a map with running branches: running items are interrupted, never-started items stay CREATED (not failed)", async () => {
    const sleep = uniqueSleep();
    const graph = graphOf({
      start_at: "make",
      steps: {
        make: shell("export RUNNABLE_PRM_items='[1, 2, 3, 4, 5, 6]'", "work"),
        work: {
          type: "map",
          iterate_on: "items",
          iterate_as: "i",
          next: "after",
          branch: { start_at: "inner", steps: { inner: shell(`echo item; ${sleep}`, "success") } },
        },
        after: stub("success"),
      },
    });
    const executor = await executorOf({ type: "local", config: { enable_parallel: true, max_parallel: 2 } });
    const log = await runAndStop(graph, { kind: "signal", signal: "SIGINT" }, () => processesWith(sleep).length >= 2, { executor });
    await until(() => processesWith(sleep).length === 0, 5_000, "the task processes to be gone");
    expect(log.status).toBe("FAIL");
    const branches = Object.values(log.steps.work!.branches);
    expect(branches.map((b) => b.status).sort()).toEqual(["CREATED", "CREATED", "CREATED", "CREATED", "FAIL", "FAIL"]);
    for (const interrupted of branches.filter((b) => b.status === "FAIL")) {
      expect(Object.values(interrupted.steps)[0]!.attempts[0]!.message).toContain("interrupted by SIGINT");
    }
    expect(log.steps.work!.message).toContain("(6 branches: 2 interrupted, 4 not started, 0 succeeded)");
    expect(Object.keys(log.steps)).toEqual(["make", "work"]);
  });
});

const LIMIT_MESSAGE = "stopped after exceeding its time limit of 1 second (max_step_duration_in_seconds)";

describe("time limits (max_step_duration_in_seconds) on the engine", () => {
  it("stops an attempt past the executor's limit; max_attempts and on_failure apply as for any failure", async () => {
    const graph = graphOf({
      start_at: "slow",
      steps: { slow: shell("sleep 20.417", "success", { max_attempts: 2, on_failure: "recover" }), recover: stub("success") },
    });
    const executor = await executorOf({ type: "local", config: { max_step_duration_in_seconds: 1 } });
    const started = Date.now();
    const log = await runGraph(graph, await realTaskServices({ executor }));
    expect(log.status).toBe("SUCCESS");
    expect(Date.now() - started).toBeLessThan(8_000);
    await until(() => processesWith("sleep 20.417").length === 0, 5_000, "the task's processes to be gone");
    expect(statuses(log.steps)).toEqual({ slow: "FAIL", recover: "SUCCESS", success: "SUCCESS" });
    expect(log.steps.slow!.attempts.map((a) => [a.attempt_number, a.status, a.message])).toEqual([
      [1, "FAIL", LIMIT_MESSAGE],
      [2, "FAIL", LIMIT_MESSAGE],
    ]);
    expect(log.run_config.executor.max_step_duration_in_seconds).toBe(1);
  });

  it("applies a per-step override bundle, and leaves other steps unlimited", async () => {
    const graph = graphOf({
      start_at: "unlimited",
      steps: { unlimited: shell("sleep 1.5", "limited"), limited: shell("sleep 20.418", "success", { overrides: { local: "quick" } }) },
    });
    const executor = await executorOf({ type: "local", config: { overrides: { quick: { max_step_duration_in_seconds: 1 } } } });
    const log = await runGraph(graph, await realTaskServices({ executor }));
    expect(log.status).toBe("FAIL");
    expect(log.steps.unlimited!.status).toBe("SUCCESS");
    expect(log.steps.limited!.attempts[0]!.message).toBe(LIMIT_MESSAGE);
  });
});
