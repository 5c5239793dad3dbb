import { describe, expect, it } from "vitest";
import type { StopReason } from "../core/stop.js";
import { graphOf, runGraph, testServices } from "../testing/engine-harness.js";
import { type RecordingTracker, scriptedRunner, untilStopped } from "../testing/fakes.js";

// Engine tests in milliseconds: the real engine over in-memory services and a scripted task runner.

const task = (command: string, next = "success", extra: Record<string, unknown> = {}) => ({ type: "task", command_type: "shell", command, next, ...extra });
const dag = (steps: Record<string, unknown>, start = Object.keys(steps)[0]) => graphOf({ start_at: start, steps });

describe("engine (in memory)", () => {
  it("passes parameters along a chain and records what each step produced", async () => {
    const runner = scriptedRunner({ a: [{ parameters: { x: 1 } }], b: [{ parameters: { y: 2, x: 1 } }] });
    const log = await runGraph(dag({ a: task("a", "b"), b: task("b") }), testServices({ runner }), { parameters: { seed: 0 } });
    expect(log.status).toBe("SUCCESS");
    expect(log.parameters).toEqual({ seed: 0, x: 1, y: 2 });
    expect(log.initial_parameters).toEqual({ seed: 0 });
    expect(log.steps.a!.output_parameters).toEqual({ x: 1 });
    expect(log.steps.b!.output_parameters).toEqual({ y: 2 });
    expect(log.steps.b!.attempts[0]!.parameters).toEqual({ seed: 0, x: 1 });
    expect(runner.calls.map((call) => call.internalName)).toEqual(["a", "b"]);
  });

  it("retries up to max_attempts, keeps every attempt, and follows on_failure when they are used up", async () => {
    const runner = scriptedRunner({ flaky: [{ fail: "boom 1" }, { parameters: { ok: true } }], broken: [{ fail: "always" }] });
    const graph = dag({
      flaky: task("flaky", "broken", { max_attempts: 3 }),
      broken: task("broken", "success", { max_attempts: 2, on_failure: "recover" }),
      recover: { type: "stub", next: "success" },
    });
    const services = testServices({ runner });
    const log = await runGraph(graph, services);
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.flaky!.attempts.map((a) => [a.attempt_number, a.status, a.message])).toEqual([
      [1, "FAIL", "boom 1"],
      [2, "SUCCESS", ""],
    ]);
    expect(log.steps.broken!.attempts.map((a) => a.status)).toEqual(["FAIL", "FAIL"]);
    expect(Object.keys(log.steps)).toEqual(["flaky", "broken", "recover", "success"]);
    expect((services.tracker as RecordingTracker).ended).toEqual(["SUCCESS"]);
  });

  it("fans a map in from its branches and records the collected values as the map's output", async () => {
    const runner = scriptedRunner({
      list: [{ parameters: { items: ["a", "b", "c"] } }],
      work: [async (invocation) => ({ parameters: { got: `${invocation.parameters.item}!` }, metrics: [] })],
    });
    const graph = dag({
      list: task("list", "each"),
      each: {
        type: "map",
        iterate_on: "items",
        iterate_as: "item",
        next: "success",
        branch: { start_at: "work", steps: { work: task("work"), success: { type: "success" }, fail: { type: "fail" } } },
      },
    });
    const log = await runGraph(graph, testServices({ runner }));
    expect(log.parameters.got).toEqual(["a!", "b!", "c!"]);
    expect(log.steps.each!.output_parameters).toEqual({ got: ["a!", "b!", "c!"] });
    expect(Object.keys(log.steps.each!.branches)).toEqual(["each.a", "each.b", "each.c"]);
    expect(log.steps.each!.branches["each.b"]!.parameters).toMatchObject({ item: "b", got: "b!" });
  });

  it("stops: the running task fails saying why, never-started map items stay CREATED, the run is FAIL", async () => {
    const stop = new AbortController();
    const runner = scriptedRunner({
      list: [{ parameters: { items: [1, 2, 3, 4] } }],
      work: [
        async (invocation) => {
          if (invocation.parameters.i === 1) return { parameters: {}, metrics: [] };
          stop.abort({ kind: "signal", signal: "SIGTERM" } satisfies StopReason);
          return untilStopped()(invocation);
        },
      ],
    });
    const graph = dag({
      list: task("list", "each"),
      each: {
        type: "map",
        iterate_on: "items",
        iterate_as: "i",
        next: "after",
        branch: { start_at: "work", steps: { work: task("work"), success: { type: "success" }, fail: { type: "fail" } } },
      },
      after: { type: "stub", next: "success" },
    });
    const log = await runGraph(graph, testServices({ runner }), { stop: { signal: stop.signal } });
    expect(log.status).toBe("FAIL");
    const branches = log.steps.each!.branches;
    expect(Object.values(branches).map((b) => b.status)).toEqual(["SUCCESS", "FAIL", "CREATED", "CREATED"]);
    expect(branches["each.2"]!.steps["each.2.work"]!.attempts[0]!.message).toBe("interrupted by SIGTERM: the run was stopped while this step was running");
    expect(log.steps.each!.message).toContain("(4 branches: 1 interrupted, 2 not started, 1 succeeded)");
    expect(Object.keys(log.steps)).toEqual(["list", "each"]);
  });

  it("stops an attempt at its time limit; the next attempt runs", async () => {
    const runner = scriptedRunner({ slow: [untilStopped(), { parameters: { done: 1 } }] });
    const services = testServices({ runner, executor: { ...testServices().executor, stepTimeLimitMs: () => 30 } });
    const log = await runGraph(dag({ slow: task("slow", "success", { max_attempts: 2 }) }), services);
    expect(log.steps.slow!.attempts.map((a) => a.message)).toEqual([
      "stopped after exceeding its time limit of 0.03 seconds (max_step_duration_in_seconds)",
      "",
    ]);
    expect(log.status).toBe("SUCCESS");
  });

  it("retries a run in place: kept steps are not run, failed ones get new attempts, the old fail step goes", async () => {
    const graph = dag({ a: task("a", "b"), b: task("b") });
    const first = scriptedRunner({ a: [{ parameters: { x: 1 } }], b: [{ fail: "not yet" }] });
    const services = testServices({ runner: first });
    const failed = await runGraph(graph, services);
    expect(Object.keys(failed.steps)).toEqual(["a", "b", "fail"]);
    const second = scriptedRunner({ b: [{ parameters: { y: 2 } }] });
    const log = await runGraph(
      graph,
      { ...services, taskRunner: () => second },
      { mode: { kind: "retry", stored: failed }, parameters: failed.initial_parameters! },
    );
    expect(second.calls.map((call) => [call.internalName, call.attempt])).toEqual([["b", 2]]);
    expect(second.calls[0]!.parameters).toEqual({ x: 1 });
    expect(Object.keys(log.steps)).toEqual(["a", "b", "success"]);
    expect(log.steps.b!.attempts.map((a) => a.status)).toEqual(["FAIL", "SUCCESS"]);
    expect(log.parameters).toEqual({ x: 1, y: 2 });
  });

  it("re-runs from an original: what succeeded is recorded mocked and its outputs restored", async () => {
    const graph = dag({ a: task("a", "b"), b: task("b") });
    const services = testServices({ runner: scriptedRunner({ a: [{ parameters: { x: 1 } }], b: [{ fail: "no" }] }) });
    const original = await runGraph(graph, services, { runId: "original" });
    const second = scriptedRunner({ b: [{ parameters: { y: 2 } }] });
    const log = await runGraph(graph, { ...services, taskRunner: () => second }, { runId: "again", mode: { kind: "cached", original } });
    expect(log.steps.a).toMatchObject({ mock: true, status: "SUCCESS", attempts: [], output_parameters: { x: 1 } });
    expect(log.steps.b).toMatchObject({ mock: false, status: "SUCCESS" });
    expect(second.calls[0]!.parameters).toEqual({ x: 1 });
    expect(log).toMatchObject({ use_cached: true, original_run_id: "original" });
  });

  it("asks the executor what to do with each task: mocked ones are recorded as run without running", async () => {
    const runner = scriptedRunner({ a: [{ parameters: { x: 1 } }], b: [{ parameters: { y: 1 } }] });
    const executor = {
      type: "mocked",
      capabilities: testServices().executor.capabilities,
      recordedConfig: {},
      maxParallel: 1,
      stepTimeLimitMs: () => undefined,
      disposition: (node: { name: string }) => (node.name === "a" ? { kind: "mock" as const } : { kind: "run" as const, node: node as never }),
    };
    const log = await runGraph(dag({ a: task("a", "b"), b: task("b") }), testServices({ runner, executor }));
    expect(log.steps.a).toMatchObject({ mock: true, status: "SUCCESS", attempts: [{ status: "SUCCESS" }] });
    expect(log.steps.b!.mock).toBe(false);
    expect(runner.calls.map((call) => call.internalName)).toEqual(["b"]);
  });
});
