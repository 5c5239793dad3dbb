import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { graphOf, runGraph, testServices } from "../testing/engine-harness.js";
import { type MemoryCatalog, type RecordingTracker, scriptedRunner } from "../testing/fakes.js";
import type { TaskRunner } from "../ports/task-runner.js";

// How the engine records what tasks return by name (issue 18): kinds beside every parameters record,
// the attempt's returned values, metric returns as metrics, objects unique per branch, fan-in of
// kinds, and a retry restoring them. In memory, milliseconds.

const task = (command: string, next = "success", extra: Record<string, unknown> = {}) => ({ type: "task", command_type: "python", command, next, ...extra });
const dag = (steps: Record<string, unknown>, start = Object.keys(steps)[0]) => graphOf({ start_at: start, steps });
const terminals = { success: { type: "success" }, fail: { type: "fail" } };

describe("returns in the run log", () => {
  it("records returned values with their kinds on the attempt, the step, the next attempt's inputs and the run", async () => {
    const runner = scriptedRunner({
      train: [{ parameters: { legacy: 1 }, returns: { rows: 3, score: 0.9, model: "model" } }],
      use: [{ parameters: {} }],
    });
    const returns = ["rows", { name: "score", kind: "metric" }, { name: "model", kind: "object" }];
    const services = testServices({ runner });
    const log = await runGraph(dag({ train: task("train", "use", { returns }), use: task("use") }), services);
    expect(log.status).toBe("SUCCESS");
    const train = log.steps.train!;
    expect(train.attempts[0]!.output_parameters).toEqual({ rows: 3, score: 0.9, model: "model" });
    expect(train.attempts[0]!.output_parameter_kinds).toEqual({ score: "metric", model: "object" });
    expect(train.output_parameters).toEqual({ legacy: 1, rows: 3, score: 0.9, model: "model" });
    expect(train.output_parameter_kinds).toEqual({ score: "metric", model: "object" });
    expect(train.user_defined_metrics).toEqual({ score: 0.9 });
    expect(log.steps.use!.attempts[0]!.parameter_kinds).toEqual({ score: "metric", model: "object" });
    expect(log.parameter_kinds).toEqual({ score: "metric", model: "object" });
    expect((services.tracker as RecordingTracker).published.map((p) => [p.step, p.points.map((x) => [x.key, x.value])])).toEqual([["train", [["score", 0.9]]]]);
    expect(log.run_config.dag.steps).toMatchObject({
      train: {
        returns: [
          { name: "rows", kind: "json" },
          { name: "score", kind: "metric" },
          { name: "model", kind: "object" },
        ],
      },
    });
  });

  it("hands the runner its declared returns, objects named uniquely per branch, and the kinds of its parameters", async () => {
    const seen: unknown[] = [];
    const runner = scriptedRunner({
      make: [
        async (invocation) => {
          seen.push({ returns: invocation.returns, kinds: invocation.parameterKinds });
          return { parameters: {}, metrics: [], returns: { made: invocation.returns[0]!.object } };
        },
      ],
    });
    const branch = { start_at: "make", steps: { make: task("make", "success", { returns: [{ name: "made", kind: "object" }] }), ...terminals } };
    const graph = dag({
      p: { type: "parallel", next: "success", branches: { a: branch, b: branch } },
      ...terminals,
    });
    const log = await runGraph(graph, testServices({ runner }));
    // Both branches return "made" (different objects): the later branch wins, as in runnable 0.50.
    expect(log.status).toBe("SUCCESS");
    expect(log.parameters.made).toBe("p.b.made");
    expect(log.parameter_kinds).toEqual({ made: "object" });
    expect(seen).toEqual([
      { returns: [{ name: "made", kind: "object", object: "p.a.made" }], kinds: {} },
      { returns: [{ name: "made", kind: "object", object: "p.b.made" }], kinds: {} },
    ]);
    expect(log.steps.p!.branches["p.a"]!.parameter_kinds).toEqual({ made: "object" });
  });

  it("lets the later branch win a name that parallel branches return differently (0.50); values set without returns still conflict", async () => {
    const graphWith = (returns: boolean) => {
      const branch = (command: string) => ({
        start_at: "set",
        steps: { set: task(command, "success", returns ? { returns: ["shared"] } : {}), ...terminals },
      });
      return dag({ p: { type: "parallel", next: "success", branches: { one: branch("a"), two: branch("b"), three: branch("c") } }, ...terminals });
    };
    const outputs = (key: "returns" | "parameters") => ({
      a: [{ parameters: {}, [key]: { shared: "value_a", only_a: 1 } }],
      b: [{ parameters: {}, [key]: { shared: { kind: "b" } } }],
      c: [{ parameters: {}, [key]: { shared: "value_c" } }],
    });
    const returned = await runGraph(graphWith(true), testServices({ runner: scriptedRunner(outputs("returns")) }));
    expect(returned.status).toBe("SUCCESS");
    expect(returned.parameters).toEqual({ shared: "value_c", only_a: 1 });
    expect(returned.steps.p!.output_parameters).toEqual({ shared: "value_c", only_a: 1 });

    const set = await runGraph(graphWith(false), testServices({ runner: scriptedRunner(outputs("parameters")) }));
    expect(set.status).toBe("FAIL");
    expect(set.steps.p!.message).toMatch(/parameter conflict at fan-in: branches "p.one" and "p.two" both set "shared" to different values/);
  });

  it("keeps objects in memory, not in the catalog, when the executor says so (0.50's object_serialisation: false)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "objects-in-memory-"));
    try {
      const runner = scriptedRunner({
        make: [
          async (invocation) => {
            const file = join(dir, "made.dill");
            await writeFile(file, "pickled bytes");
            await invocation.services.putObject(invocation.returns[0]!.object!, file);
            return { parameters: {}, metrics: [], returns: { made: invocation.returns[0]!.object } };
          },
        ],
        use: [
          async (invocation) => {
            const file = join(dir, "loaded.dill");
            await invocation.services.getObject(String(invocation.parameters.made), file);
            return { parameters: {}, metrics: [], returns: { text: await readFile(file, "utf8") } };
          },
        ],
      });
      const services = testServices({ runner });
      const executor = { ...services.executor, capabilities: { ...services.executor.capabilities, objectsInMemory: true } };
      const graph = dag({
        make: task("make", "use", { returns: [{ name: "made", kind: "object" }] }),
        use: task("use", "success", { returns: ["text"] }),
        ...terminals,
      });
      const log = await runGraph(graph, { ...services, executor });
      expect(log.status).toBe("SUCCESS");
      expect(log.parameters).toEqual({ made: "made", text: "pickled bytes" });
      expect([...(services.catalog as MemoryCatalog).files.keys()].filter((name) => !name.endsWith(".execution.log"))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("collects a map's objects as an object parameter listing them, and refuses to reduce them", async () => {
    const make = (reducer?: string) => {
      const runner = scriptedRunner({
        list: [{ returns: { items: [1, 2] } }],
        make: [async (invocation) => ({ parameters: {}, metrics: [], returns: { made: invocation.returns[0]!.object } })],
      });
      const graph = dag({
        list: task("list", "each", { returns: ["items"] }),
        each: {
          type: "map",
          iterate_on: "items",
          iterate_as: "item",
          next: "success",
          ...(reducer ? { reducer } : {}),
          branch: { start_at: "make", steps: { make: task("make", "success", { returns: [{ name: "made", kind: "object" }] }), ...terminals } },
        },
        ...terminals,
      });
      return runGraph(graph, testServices({ runner }));
    };
    const log = await make();
    expect(log.parameters.made).toEqual(["each.1.made", "each.2.made"]);
    expect(log.parameter_kinds).toEqual({ made: "object" });
    expect(log.steps.each!.output_parameter_kinds).toEqual({ made: "object" });
    const reduced = await make("max");
    expect(reduced.steps.each!.status).toBe("FAIL");
    expect(reduced.steps.each!.message).toMatch(/parameter "made" holds objects .* which a reducer cannot fold/);
  });

  it("restores the kinds of a step a retry keeps", async () => {
    const runner = scriptedRunner({
      make: [{ returns: { model: "model" } }],
      flaky: [{ fail: "first time" }, { parameters: {} }],
    });
    const graph = dag({ make: task("make", "flaky", { returns: [{ name: "model", kind: "object" }] }), flaky: task("flaky"), ...terminals });
    const services = testServices({ runner });
    const first = await runGraph(graph, services, { runId: "r1" });
    expect(first.status).toBe("FAIL");
    const retried = await runGraph(graph, services, { runId: "r1", mode: { kind: "retry", stored: first } });
    expect(retried.status).toBe("SUCCESS");
    expect(retried.steps.flaky!.attempts.at(-1)!.parameter_kinds).toEqual({ model: "object" });
    expect(retried.parameter_kinds).toEqual({ model: "object" });
    expect(runner.calls.filter((c) => c.internalName === "make")).toHaveLength(1);
  });

  it("fails a step whose runner does not hand back the declared returns, and a returned value that is not data", async () => {
    const runner = scriptedRunner({ plain: [{ parameters: { x: 1 } }], bad: [{ returns: { x: Number.NaN } }] });
    const graph = dag({ plain: task("plain", "bad", { returns: ["x"], on_failure: "bad" }), bad: task("bad", "success", { returns: ["x"] }), ...terminals });
    const log = await runGraph(graph, testServices({ runner }));
    expect(log.steps.plain!.attempts[0]!.message).toMatch(/does not hand back returned values, but the step declares returns \(x\)/);
    expect(log.steps.bad!.attempts[0]!.message).toMatch(/cannot be kept: parameter "x" holds NaN/);
  });

  it("folds a map with a reducer written in a runner's language (the runner that reduces it)", async () => {
    const reducing: TaskRunner = {
      ...scriptedRunner({
        list: [{ returns: { items: [1, 2, 3] } }],
        work: [async (i) => ({ parameters: {}, metrics: [], returns: { out: Number(i.parameters.item) * 10 } })],
      }),
      reduces: (expression) => expression.startsWith("lambda"),
      reduce: async (request) => Math.max(...(request.values as number[])) + request.expression.length * 0,
    };
    const graph = dag({
      list: task("list", "each", { returns: ["items"] }),
      each: {
        type: "map",
        iterate_on: "items",
        iterate_as: "item",
        next: "success",
        reducer: "lambda *x: max(x)",
        branch: { start_at: "work", steps: { work: task("work", "success", { returns: ["out"] }), ...terminals } },
      },
      ...terminals,
    });
    const log = await runGraph(graph, testServices({ runner: reducing, reducer: (e) => (reducing.reduces?.(e) ? reducing : undefined) }));
    expect(log.parameters.out).toBe(30);
  });
});
