import { describe, expect, it } from "vitest";
import { graphOf, runGraph, testServices } from "../testing/engine-harness.js";
import { type RecordingTracker, scriptedRunner } from "../testing/fakes.js";

// Issue 20: the tracker learns which map item or parallel branch a step's metrics belong to, and when
// each item ends, so it can keep items apart (MLflow child runs).

const task = (command: string, next = "success") => ({ type: "task", command_type: "shell", command, next });
const end = { success: { type: "success" }, fail: { type: "fail" } };

describe("metrics published with the map items and parallel branches they belong to", () => {
  it("passes the chain of items (nested maps, parallel branches, dag nodes transparent) and ends each item", async () => {
    const runner = scriptedRunner({
      fit: [async (invocation) => ({ parameters: {}, metrics: [{ key: "loss", value: Number(invocation.parameters["lr"]), step: 0, time_ms: 1 }] })],
      eval: [async () => ({ parameters: {}, metrics: [{ key: "acc", value: 1, step: 0, time_ms: 1 }] })],
      bad: [{ fail: "boom" }],
      top: [{ parameters: {}, metrics: [{ key: "rows", value: 3 }] }],
    });
    const inner = { start_at: "fit", steps: { fit: task("fit"), ...end } };
    const graph = graphOf({
      start_at: "top",
      steps: {
        top: task("top", "sweep"),
        sweep: {
          type: "map",
          iterate_on: "lrs",
          iterate_as: "lr",
          next: "both",
          branch: { start_at: "sub", steps: { sub: { type: "dag", dag: inner, next: "success" }, ...end } },
        },
        both: {
          type: "parallel",
          next: "success",
          branches: { good: { start_at: "eval", steps: { eval: task("eval"), ...end } }, broken: { start_at: "bad", steps: { bad: task("bad"), ...end } } },
        },
        ...end,
      },
    });
    const services = testServices({ runner });
    await runGraph(graph, services, { parameters: { lrs: [0.1, 0.01] } });
    const tracker = services.tracker as RecordingTracker;
    const chains = tracker.published.map((p) => [p.step, p.branches?.map((b) => [b.kind, b.step, b.branch, b.name, b.value]) ?? []]);
    expect(chains).toEqual([
      ["top", []],
      ["sweep.0.1.sub.dag.fit", [["map", "sweep", "sweep.0.1", "lr", 0.1]]],
      ["sweep.0.01.sub.dag.fit", [["map", "sweep", "sweep.0.01", "lr", 0.01]]],
      ["both.good.eval", [["parallel", "both", "both.good", "both", "good"]]],
    ]);
    expect(tracker.branchesEnded).toEqual([
      { branch: "sweep.0.1", status: "SUCCESS" },
      { branch: "sweep.0.01", status: "SUCCESS" },
      { branch: "both.good", status: "SUCCESS" },
      { branch: "both.broken", status: "FAIL" },
    ]);
  });
});
