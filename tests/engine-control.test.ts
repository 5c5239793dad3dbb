// Conditional and loop steps (runnable 0.50's `conditional` and `loop`) on the engine harness: the real
// engine and real shell tasks in a scratch folder, the store in memory. Behaviour is runnable 0.50.0's
// (extensions/nodes/conditional.py, loop.py); the deliberate differences are named in the tests.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Services } from "../src/engine/services.js";
import { executorOf, graphOf, realTaskServices, runGraph, testServices } from "../src/testing/engine-harness.js";
import { scriptedRunner, stopsRun, takes } from "../src/testing/fakes.js";
import { contractErrors } from "./helpers/cli.js";
import { statuses } from "./helpers/composite.js";

let dir = "";
let services: Services;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-engine-control-"));
  services = await realTaskServices();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const shell = (command: string, next = "success") => ({ type: "task", command_type: "shell", command, next });
const one = (step: Record<string, unknown>) => ({ start_at: "s", steps: { s: step } });
const pipeline = (start: string, steps: Record<string, unknown>) => graphOf({ start_at: start, steps });
const lines = async (file: string) => (await readFile(join(dir, file), "utf8").catch(() => "")).split("\n").filter(Boolean);

const coin = (extra: Record<string, unknown> = {}) =>
  pipeline("pick", {
    pick: {
      type: "conditional",
      parameter: "toss",
      next: "after",
      ...extra,
      branches: {
        heads: one(shell("echo heads >> ran; export RUNNABLE_PRM_picked='\"heads\"'")),
        tails: one(shell("echo tails >> ran; export RUNNABLE_PRM_picked='\"tails\"'")),
        True: one(shell("echo bool >> ran")),
        "3": one(shell("echo three >> ran")),
      },
    },
    after: shell("echo after >> ran"),
  });

describe("conditional", () => {
  it("runs only the branch keyed by the parameter's value, records it as <step>.<key> and hands its parameters back", async () => {
    const log = await runGraph(coin(), services, { cwd: dir, parameters: { toss: "tails" } });
    expect(log.status).toBe("SUCCESS");
    expect(Object.keys(log.steps.pick!.branches)).toEqual(["pick.tails"]);
    expect(statuses(log.steps.pick!.branches["pick.tails"]!.steps)).toEqual({ "pick.tails.s": "SUCCESS", "pick.tails.success": "SUCCESS" });
    expect(log.steps.pick!.output_parameters).toEqual({ picked: "tails" });
    expect(log.parameters).toMatchObject({ toss: "tails", picked: "tails" });
    expect(await lines("ran")).toEqual(["tails", "after"]);
    expect(await contractErrors(log)).toEqual([]);
  });

  it("matches Python's str() of the value: True for a boolean, 3 for an integer", async () => {
    await runGraph(coin(), services, { cwd: dir, parameters: { toss: true } });
    await runGraph(coin(), services, { cwd: dir, runId: "r2", parameters: { toss: 3 } });
    expect(await lines("ran")).toEqual(["bool", "after", "three", "after"]);
  });

  it("fails the step naming the value and the keys when no branch matches (0.50: None of the branches were true), or runs default:", async () => {
    const log = await runGraph(coin(), services, { cwd: dir, parameters: { toss: "true" } });
    expect(log.status).toBe("FAIL");
    expect(log.steps.pick!.message).toContain('None of the branches were true: conditional "pick" found parameter "toss" = "true"');
    expect(log.steps.pick!.message).toContain('"True" is not "true"');
    expect(log.steps.pick!.branches).toEqual({});
    const other = await runGraph(coin({ default: one(shell("echo default >> ran")) }), services, { cwd: dir, runId: "r2", parameters: { toss: "edge" } });
    expect(other.status).toBe("SUCCESS");
    expect(Object.keys(other.steps.pick!.branches)).toEqual(["pick.default"]);
    expect(await lines("ran")).toEqual(["default", "after"]);
  });

  it("fails clearly when the parameter is not set or is not a scalar", async () => {
    const missing = await runGraph(coin(), services, { cwd: dir, parameters: { tos: "x" } });
    expect(missing.steps.pick!.message).toMatch(/reads parameter "toss", which is not set: .*\(known parameters: tos\) Did you mean "tos"\?$/);
    const list = await runGraph(coin(), services, { cwd: dir, runId: "r2", parameters: { toss: ["a"] } });
    expect(list.steps.pick!.message).toContain('parameter "toss" must be a string, integer, float or boolean, got ["a"]');
  });

  it("a retry re-runs only the chosen branch, from its failed step", async () => {
    const graph = () =>
      pipeline("pick", {
        pick: {
          type: "conditional",
          parameter: "toss",
          next: "success",
          branches: {
            heads: { start_at: "a", steps: { a: shell("echo a >> ran", "b"), b: shell("echo b >> ran; test -e ok") } },
            tails: one(shell("echo tails >> ran")),
          },
        },
      });
    const first = await runGraph(graph(), services, { cwd: dir, parameters: { toss: "heads" } });
    expect(first.status).toBe("FAIL");
    await writeFile(join(dir, "ok"), "");
    const retried = await runGraph(graph(), services, { cwd: dir, parameters: { toss: "heads" }, mode: { kind: "retry", stored: first } });
    expect(retried.status).toBe("SUCCESS");
    expect(await lines("ran")).toEqual(["a", "b", "b"]);
    expect(Object.keys(retried.steps.pick!.branches)).toEqual(["pick.heads"]);
  });
});

const counter = (command: string, extra: Record<string, unknown> = {}) =>
  pipeline("count", {
    count: { type: "loop", max_iterations: 5, break_on: "done", index_as: "counter", next: "after", ...extra, branch: one(shell(command)) },
    after: shell("echo after >> ran"),
  });
const stopAt2 = 'echo $counter >> ran; if [ "$counter" -ge 2 ]; then export RUNNABLE_PRM_done=true; else export RUNNABLE_PRM_done=false; fi';

describe("loop", () => {
  it("runs its branch as iterations <loop>.0, .1, ... with index_as set, until break_on is true", async () => {
    const log = await runGraph(counter(stopAt2), services, { cwd: dir });
    expect(log.status).toBe("SUCCESS");
    expect(Object.keys(log.steps.count!.branches)).toEqual(["count.0", "count.1", "count.2"]);
    expect(Object.keys(log.steps.count!.branches["count.1"]!.steps)).toEqual(["count.1.s", "count.1.success"]);
    expect(log.steps.count!.output_parameters).toEqual({ done: true });
    expect(await lines("ran")).toEqual(["0", "1", "2", "after"]);
    expect(await contractErrors(log)).toEqual([]);
  });

  it("each iteration sees the parameters the previous one returned", async () => {
    const add = "n=${RUNNABLE_PRM_n:-0}; n=$((n+1)); echo $n >> ran; export RUNNABLE_PRM_n=$n";
    const log = await runGraph(counter(add), services, { cwd: dir, parameters: { n: 10 } });
    expect(await lines("ran")).toEqual(["11", "12", "13", "14", "15", "after"]);
    expect(log.parameters).toEqual({ n: 15 });
  });

  it("ends SUCCESS after max_iterations when break_on never turns true (as 0.50), and treats an unset break_on as false", async () => {
    const log = await runGraph(counter("echo $counter >> ran"), services, { cwd: dir });
    expect(log.status).toBe("SUCCESS");
    expect(Object.keys(log.steps.count!.branches)).toHaveLength(5);
  });

  it("fails naming the step and the value when break_on is not a boolean (0.50 silently goes on)", async () => {
    const log = await runGraph(counter("export RUNNABLE_PRM_done='\"yes\"'"), services, { cwd: dir });
    expect(log.status).toBe("FAIL");
    expect(log.steps.count!.message).toBe(
      'loop "count": break_on parameter "done" must be a boolean (true or false), but iteration 0 left it "yes"; return a boolean from the step that sets it',
    );
  });

  it("fails when an iteration fails; a retry keeps the iterations that succeeded and continues at the failed one", async () => {
    const flaky = 'echo $counter >> ran; if [ "$counter" = 2 ]; then test -e ok || exit 4; fi; if [ "$counter" -ge 3 ]; then export RUNNABLE_PRM_done=true; fi';
    const first = await runGraph(counter(flaky), services, { cwd: dir });
    expect(first.status).toBe("FAIL");
    expect(first.steps.count!.message).toBe('iteration 2 of loop "count" failed (branch count.2)');
    expect(statuses(first.steps.count!.branches)).toEqual({ "count.0": "SUCCESS", "count.1": "SUCCESS", "count.2": "FAIL" });
    await writeFile(join(dir, "ok"), "");
    const retried = await runGraph(counter(flaky), services, { cwd: dir, mode: { kind: "retry", stored: first } });
    expect(retried.status).toBe("SUCCESS");
    expect(await lines("ran")).toEqual(["0", "1", "2", "2", "3", "after"]);
    expect(retried.steps.count!.branches["count.2"]!.steps["count.2.s"]!.attempts.map((a) => a.status)).toEqual(["FAIL", "SUCCESS"]);
  });

  it("a re-run (--use-cached) replays succeeded iterations as mocked steps and runs the failed one", async () => {
    const flaky = 'echo $counter >> ran; if [ "$counter" = 1 ]; then test -e ok || exit 4; fi; if [ "$counter" -ge 1 ]; then export RUNNABLE_PRM_done=true; fi';
    const original = await runGraph(counter(flaky), services, { cwd: dir });
    await writeFile(join(dir, "ok"), "");
    const log = await runGraph(counter(flaky), services, { cwd: dir, runId: "r2", mode: { kind: "cached", original } });
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.count!.branches["count.0"]!.steps["count.0.s"]!.mock).toBe(true);
    expect(await lines("ran")).toEqual(["0", "1", "1", "after"]);
  });

  it("nests: a loop inside a map and a conditional inside a loop resolve every placeholder", async () => {
    const graph = pipeline("each", {
      each: {
        type: "map",
        iterate_on: "items",
        iterate_as: "item",
        next: "success",
        branch: one({
          type: "loop",
          max_iterations: 2,
          break_on: "stop",
          index_as: "i",
          next: "success",
          branch: one({
            type: "conditional",
            parameter: "item",
            next: "success",
            branches: {
              a: one(shell('echo "a$i" >> ran')),
              b: one(shell('echo "b$i" >> ran')),
            },
          }),
        }),
      },
    });
    const log = await runGraph(graph, services, { cwd: dir, parameters: { items: ["a", "b"] } });
    expect(log.status).toBe("SUCCESS");
    expect((await lines("ran")).sort()).toEqual(["a0", "a1", "b0", "b1"]);
    const iteration = log.steps.each!.branches["each.b"]!.steps["each.b.s"]!.branches["each.b.s.1"]!;
    expect(Object.keys(iteration.steps)).toEqual(["each.b.s.1.s", "each.b.s.1.success"]);
    expect(Object.keys(iteration.steps["each.b.s.1.s"]!.branches)).toEqual(["each.b.s.1.s.b"]);
    expect(await contractErrors(log)).toEqual([]);
  });
});

describe("the mocked executor", () => {
  it("patches tasks inside a conditional's and a loop's branches; unpatched ones are recorded mocked", async () => {
    const executor = await executorOf({
      type: "mocked",
      config: { patches: { work: { command: 'echo "patched $counter" >> ran; export RUNNABLE_PRM_done=true' } } },
    });
    const mocked = await realTaskServices({ executor });
    const graph = pipeline("pick", {
      pick: { type: "conditional", parameter: "toss", next: "count", branches: { heads: one(shell("echo real >> ran")) } },
      count: {
        type: "loop",
        max_iterations: 5,
        break_on: "done",
        index_as: "counter",
        next: "success",
        branch: { start_at: "work", steps: { work: shell("echo real >> ran") } },
      },
    });
    const log = await runGraph(graph, mocked, { cwd: dir, parameters: { toss: "heads" } });
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.pick!.branches["pick.heads"]!.steps["pick.heads.s"]!.mock).toBe(true);
    expect(Object.keys(log.steps.count!.branches)).toEqual(["count.0"]);
    expect(await lines("ran")).toEqual(["patched 0"]);
  });
});

describe("a stopped loop", () => {
  it("ends in the iteration that was running: later iterations never start, the step says where it stopped", async () => {
    const stop = new AbortController();
    const runner = scriptedRunner({
      work: [
        (invocation) =>
          invocation.internalName === "count.2.work" ? stopsRun(stop, { kind: "signal", signal: "SIGTERM" })(invocation) : { parameters: {}, metrics: [] },
      ],
    });
    const graph = pipeline("count", {
      count: {
        type: "loop",
        max_iterations: 100,
        break_on: "done",
        next: "success",
        branch: { start_at: "work", steps: { work: { type: "task", command: "work", next: "success" } } },
      },
    });
    const log = await runGraph(graph, testServices({ runner }), { stop: { signal: stop.signal } });
    expect(log.status).toBe("FAIL");
    expect(Object.keys(log.steps.count!.branches)).toEqual(["count.0", "count.1", "count.2"]);
    expect(log.steps.count!.message).toBe('interrupted by SIGTERM: the run was stopped while this step was running (loop "count" in iteration 2)');
    expect(runner.calls.map((call) => call.internalName)).toEqual(["count.0.work", "count.1.work", "count.2.work"]);
  });
});

describe("a step of a loop run in a process of its own (execute-single-node: local-container, slurm, Argo pods)", () => {
  it("is found by its iteration's index and sees that iteration's parameters and index_as", async () => {
    const { resolveStep } = await import("../src/engine/resolve-step.js");
    const add = "n=${RUNNABLE_PRM_n:-0}; export RUNNABLE_PRM_n=$((n+1))";
    const graph = counter(add);
    const log = await runGraph(graph, services, { cwd: dir, parameters: { n: 10 } });
    const step = resolveStep(graph, log, "count.3.s", []);
    expect(step.node.internalName).toBe("count.loop_variable_placeholder.s");
    expect(step.ctx.loops).toEqual([3]);
    expect(step.ctx.loopEnv).toEqual({ counter: "3" });
    expect(step.ctx.scope.parameters).toEqual({ n: 13 });
    expect(step.ctx.location).toEqual([["count", "count.3"]]);
    expect(step.place.prior?.internal_name).toBe("count.3.s");
    expect(() => resolveStep(graph, log, "count.7.s", [])).toThrow('Loop "count" has no iteration "7" (0 to 4)');
  });
});

describe("a conditional's records while it runs", () => {
  it("are in the store once its branch has something to record: a slow step shows the conditional and its branch PROCESSING", async () => {
    const seen: string[] = [];
    const services = testServices({
      runner: scriptedRunner({
        slow: [
          async (invocation) => {
            const outcome = await takes(250)(invocation);
            const log = await services.runLogStore.get("test-run");
            const pick = log.steps.pick!;
            seen.push(pick.status, pick.branches["pick.a"]!.status, pick.branches["pick.a"]!.steps["pick.a.s"]!.status);
            return outcome;
          },
        ],
      }),
    });
    const graph = pipeline("pick", {
      pick: { type: "conditional", parameter: "x", next: "success", branches: { a: one({ type: "task", command: "slow", next: "success" }) } },
    });
    const log = await runGraph(graph, services, { parameters: { x: "a" } });
    expect(log.status).toBe("SUCCESS");
    expect(seen).toEqual(["PROCESSING", "PROCESSING", "PROCESSING"]);
    expect(log.steps.pick!.branches["pick.a"]!.status).toBe("SUCCESS");
  });
});

describe("a conditional whose branch ends at once", () => {
  it("goes to the store with its branch and the branch's steps, its own log first, with no PROCESSING record before", async () => {
    const services = testServices({ runner: scriptedRunner({ quick: [takes(1)] }) });
    const writes: string[] = [];
    const store = services.runLogStore;
    const putStep = store.putStep.bind(store);
    const putBranch = store.putBranch.bind(store);
    store.putStep = (runId, location, step, seq) => {
      writes.push(`step ${step.internal_name} ${step.status}`);
      return putStep(runId, location, step, seq);
    };
    store.putBranch = (runId, location, branch, seq) => {
      writes.push(`branch ${branch.internal_name} ${branch.status}`);
      return putBranch(runId, location, branch, seq);
    };
    const graph = pipeline("pick", {
      pick: { type: "conditional", parameter: "x", next: "success", branches: { a: one({ type: "task", command: "quick", next: "success" }) } },
    });
    const log = await runGraph(graph, services, { parameters: { x: "a" } });
    expect(log.status).toBe("SUCCESS");
    const inside = writes.filter((write) => write.includes(" pick"));
    expect(inside).toEqual(["step pick SUCCESS", "branch pick.a SUCCESS", "step pick.a.s SUCCESS", "step pick.a.success SUCCESS"]);
    expect(Object.keys(log.steps.pick!.branches["pick.a"]!.steps)).toEqual(["pick.a.s", "pick.a.success"]);
  });
});

describe("a conditional right before its branch's success node, inside a map item", () => {
  it("is closed with the item's own closing writes, and step ends are still reported in the order the steps ended", async () => {
    const services = testServices({ runner: scriptedRunner({ quick: [takes(1)] }) });
    const writes: string[] = [];
    const ends: string[] = [];
    const store = services.runLogStore;
    const putStep = store.putStep.bind(store);
    const putBranch = store.putBranch.bind(store);
    store.putStep = (runId, location, step, seq) => {
      writes.push(`step ${step.internal_name} ${step.status}`);
      return putStep(runId, location, step, seq);
    };
    store.putBranch = (runId, location, branch, seq) => {
      writes.push(`branch ${branch.internal_name} ${branch.status}`);
      return putBranch(runId, location, branch, seq);
    };
    services.onEvent = (event) => {
      if (event.type === "step-end") ends.push(event.internalName);
    };
    const pick = { type: "conditional", parameter: "x", next: "success", branches: { a: one({ type: "task", command: "quick", next: "success" }) } };
    const graph = pipeline("each", {
      each: { type: "map", iterate_on: "xs", iterate_as: "x", next: "success", branch: { start_at: "pick", steps: { pick } } },
    });
    const log = await runGraph(graph, services, { parameters: { xs: ["a"] } });
    expect(log.status).toBe("SUCCESS");
    expect(writes.filter((write) => write.includes("each.a") && !write.endsWith("CREATED"))).toEqual([
      "step each.a.pick SUCCESS",
      "branch each.a.pick.a SUCCESS",
      "step each.a.pick.a.s SUCCESS",
      "step each.a.pick.a.success SUCCESS",
      "step each.a.success SUCCESS",
      "branch each.a SUCCESS",
    ]);
    expect(ends.filter((name) => name.startsWith("each."))).toEqual(["each.a.pick.a.s", "each.a.pick.a.success", "each.a.pick", "each.a.success"]);
  });
});
