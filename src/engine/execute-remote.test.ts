import { describe, expect, it } from "vitest";
import { newStepLog } from "../core/run-log.js";
import type { Executor, RemoteStep, RemoteStepResult } from "../ports/executor.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import { graphOf, runGraph, testServices } from "../testing/engine-harness.js";
import { makeAttempt } from "./attempt.js";

// A launching executor's steps, in memory: the fake "step process" records the step in the store as
// `runnable execute-single-node` would (one attempt per launch), and says how its process ended.

type Outcome = { record?: "SUCCESS" | "FAIL"; message?: string; result: RemoteStepResult };

function launchingExecutor(store: () => RunLogStore, outcomes: Outcome[], retryByRelaunch: boolean): Executor & { launched: RemoteStep[] } {
  const launched: RemoteStep[] = [];
  return {
    type: "fake-cluster",
    capabilities: { placement: "launched", retryByRelaunch, memoryStore: true },
    recordedConfig: {},
    maxParallel: 1,
    stepTimeLimitMs: () => undefined,
    launched,
    async launchStep(step) {
      launched.push(step);
      const outcome = outcomes.shift()!;
      if (outcome.record) {
        const log = (await store().get(step.runId)).steps[step.node.internalName] ?? newStepLog(step.node.name, step.node.internalName, "task");
        const number = log.attempts.length + 1;
        log.attempts.push(makeAttempt({ number, startedMicros: 0, endedMicros: 1, status: outcome.record, message: outcome.message ?? "", parameters: {} }));
        log.status = outcome.record;
        await store().putStep(step.runId, [], log, 0);
      }
      return outcome.result;
    },
  };
}

const pipeline = (maxAttempts: number) =>
  graphOf({ start_at: "work", steps: { work: { type: "task", command_type: "shell", command: "work", max_attempts: maxAttempts, next: "success" } } });

describe("steps launched in other processes", () => {
  it("launches a failed step again when the executor retries by relaunch, one attempt per launch", async () => {
    const services = testServices();
    const executor = launchingExecutor(
      () => services.runLogStore,
      [
        { record: "FAIL", message: "exit code 3", result: { exitCode: 1 } },
        { record: "SUCCESS", result: { exitCode: 0 } },
      ],
      true,
    );
    const log = await runGraph(pipeline(3), { ...services, executor });
    expect(executor.launched).toHaveLength(2);
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.work!.attempts.map((a) => [a.attempt_number, a.status, a.message])).toEqual([
      [1, "FAIL", "exit code 3"],
      [2, "SUCCESS", ""],
    ]);
  });

  it("launches once when the step process makes every attempt itself", async () => {
    const services = testServices();
    const executor = launchingExecutor(() => services.runLogStore, [{ record: "FAIL", message: "exit code 3", result: { exitCode: 1 } }], false);
    const log = await runGraph(pipeline(3), { ...services, executor });
    expect(executor.launched).toHaveLength(1);
    expect(log.status).toBe("FAIL");
  });

  it("records how the launching system ended a step on its failed attempt, and a step that never recorded itself", async () => {
    const services = testServices();
    const executor = launchingExecutor(
      () => services.runLogStore,
      [
        { record: "FAIL", message: "interrupted by SIGTERM", result: { exitCode: 143, ending: "Slurm job 4 TIMEOUT: killed at its time limit" } },
        { result: { exitCode: 127, problem: "Slurm job 5 ended FAILED (exit code 127): node: not found" } },
        { result: { exitCode: 0, problem: "Slurm job 6 is no longer known", ending: "Slurm job 6 NODE_FAIL: the node running it failed" } },
      ],
      true,
    );
    const log = await runGraph(pipeline(3), { ...services, executor });
    expect(log.status).toBe("FAIL");
    expect(log.steps.work!.attempts.map((a) => [a.attempt_number, a.status, a.message])).toEqual([
      [1, "FAIL", "Slurm job 4 TIMEOUT: killed at its time limit"],
      [2, "FAIL", "Slurm job 5 ended FAILED (exit code 127): node: not found"],
      [3, "FAIL", "Slurm job 6 NODE_FAIL: the node running it failed"],
    ]);
    expect(log.steps.work!.message).toBe("Slurm job 6 NODE_FAIL: the node running it failed");
    expect(log.steps.fail?.status).toBe("SUCCESS");
  });

  it("does not launch again once the run is stopped, and keeps the stop's message", async () => {
    const services = testServices();
    const stop = new AbortController();
    const executor = launchingExecutor(
      () => services.runLogStore,
      [{ result: { exitCode: 143, ending: "Slurm job 7 CANCELLED: cancelled outside this run" } }],
      true,
    );
    const launch = executor.launchStep!;
    executor.launchStep = async (step) => {
      stop.abort({ kind: "signal", signal: "SIGINT" });
      return launch.call(executor, step);
    };
    const log = await runGraph(pipeline(3), { ...services, executor }, { stop: { signal: stop.signal } });
    expect(executor.launched).toHaveLength(1);
    expect(log.steps.work!.attempts.map((a) => a.message)).toEqual(["interrupted by SIGINT: the run was stopped while this step was running"]);
  });
});
