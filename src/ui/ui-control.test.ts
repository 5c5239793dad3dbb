import { describe, expect, it } from "vitest";
import { graphOf, runGraph as runOnEngine, testServices } from "../testing/engine-harness.js";
import { scriptedRunner } from "../testing/fakes.js";
import { runMetrics } from "./run-details.js";
import { runGraph } from "./run-graph.js";

// The run browser's views of runnable 0.50's control steps: a conditional's branch that was not taken,
// a loop's iterations, and a metric tracked in every iteration as one series by iteration.

async function controlRun() {
  const runner = scriptedRunner({
    toss: [{ parameters: { toss: "tails" } }],
    train: [
      (invocation) => {
        const n = ((invocation.parameters.n as number | undefined) ?? 0) + 1;
        return { parameters: { n, done: n >= 3 }, metrics: [{ key: "loss", value: 1 / n, step: 0, time_ms: 0 }] };
      },
    ],
  });
  const graph = graphOf({
    start_at: "toss",
    steps: {
      toss: { type: "task", command: "toss", next: "pick" },
      pick: {
        type: "conditional",
        parameter: "toss",
        next: "again",
        branches: {
          heads: { start_at: "h", steps: { h: { type: "stub", next: "success" } } },
          tails: { start_at: "t", steps: { t: { type: "stub", next: "success" } } },
        },
      },
      again: {
        type: "loop",
        max_iterations: 5,
        break_on: "done",
        next: "success",
        branch: { start_at: "train", steps: { train: { type: "task", command: "train", next: "success" } } },
      },
    },
  });
  return runOnEngine(graph, testServices({ runner }));
}

describe("the run browser's views of conditional and loop steps", () => {
  it("draws every branch of a conditional, the one not taken marked so; a loop's branch once with its iterations counted", async () => {
    const run = await controlRun();
    expect(run.status).toBe("SUCCESS");
    const graph = runGraph(run)!;
    const pick = graph.nodes.find((node) => node.name === "pick")!;
    expect(pick.branches.map((b) => [b.name, b.instances, b.not_taken])).toEqual([
      ["heads", 0, true],
      ["tails", 1, false],
    ]);
    expect(pick.branches[1]!.nodes.find((node) => node.name === "t")!.status).toBe("SUCCESS");
    const again = graph.nodes.find((node) => node.name === "again")!;
    expect(again.iterations).toEqual({ total: 3, counts: { SUCCESS: 3 } });
    expect(again.branches.map((b) => [b.name, b.instances])).toEqual([["each iteration", 3]]);
    expect(again.branches[0]!.nodes.find((node) => node.name === "train")!.counts).toEqual({ SUCCESS: 3 });
    const iteration = runGraph(run, [["again", "again.1"]])!;
    expect(iteration.nodes.find((node) => node.name === "train")!.key).toBe("again.1.train");
    const branch = runGraph(run, [["pick", "pick.tails"]])!;
    expect(branch.nodes.map((node) => node.name)).toContain("t");
  });

  it("charts a metric tracked in every iteration as one series by iteration", async () => {
    const series = runMetrics(await controlRun());
    expect(series).toEqual([
      {
        key: "loss",
        step: "again.*.train",
        template: "again.*.train",
        item: null,
        numeric: true,
        x: "iteration",
        points: [
          { step: 0, value: 1, time_ms: expect.anything() },
          { step: 1, value: 0.5, time_ms: expect.anything() },
          { step: 2, value: 1 / 3, time_ms: expect.anything() },
        ],
      },
    ]);
  });
});
