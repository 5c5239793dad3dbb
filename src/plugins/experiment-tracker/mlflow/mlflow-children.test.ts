import { describe, expect, it } from "vitest";
import type { TrackedBranch } from "../../../ports/experiment-tracker.js";
import { createMlflowTracker } from "./mlflow.js";
import { type FakeRun, point, RUN, setup } from "./mlflow-fake.fixture.js";

// Issue 20: each map item (and parallel branch) that records anything is a child MLflow run of the
// pipeline run's (nested runs), so items never share a metric.

const item = (lr: unknown, text = String(lr)): TrackedBranch[] => [{ step: "sweep", branch: `sweep.${text}`, kind: "map", name: "lr", value: lr }];
const paramsOf = (run: FakeRun) => Object.fromEntries(run.params);
const tagsOf = (run: FakeRun) => Object.fromEntries(run.tags);

describe("mlflow child runs per map item", () => {
  it("files each item's metrics in its own child run, with its iterate value and the run's parameters", async () => {
    const { tracker, server, warnings } = setup();
    await tracker.startRun({ ...RUN, parameters: { lrs: [0.1, 0.01], epochs: 2 } });
    await tracker.publish("prepare", [point("rows", 100)]);
    for (const lr of [0.1, 0.01]) {
      await tracker.publish(`sweep.${lr}.train`, [point("loss", 1, 0, 1), point("loss", lr, 1, 2)], item(lr));
      await tracker.endBranch!(item(lr), lr === 0.1 ? "FAIL" : "SUCCESS");
    }
    await tracker.endRun("FAIL");
    expect(warnings).toEqual([]);
    const [parent, ...children] = [...server.runs.values()];
    expect(parent!.metrics.map((m) => m.key)).toEqual(["rows"]);
    expect(children.map((c) => [c.run_name, c.status, c.metrics.map((m) => [m.key, m.step, m.value])])).toEqual([
      [
        "sweep.0.1",
        "FAILED",
        [
          ["loss", 0, 1],
          ["loss", 1, 0.1],
        ],
      ],
      [
        "sweep.0.01",
        "FINISHED",
        [
          ["loss", 0, 1],
          ["loss", 1, 0.01],
        ],
      ],
    ]);
    expect(paramsOf(children[1]!)).toEqual({ lrs: "[0.1, 0.01]", epochs: "2", lr: "0.01" });
    expect(tagsOf(children[1]!)).toMatchObject({
      "mlflow.parentRunId": parent!.run_id,
      "runnable.run_id": RUN.runId,
      "runnable.step": "sweep",
      "runnable.branch": "sweep.0.01",
      "runnable.step.sweep.0.01.train": "2",
    });
    expect(parent!.status).toBe("FAILED");
  });

  it("makes one child per item when its steps publish at once, and names the innermost item's values", async () => {
    const { tracker, server } = setup();
    await tracker.startRun(RUN);
    const nested: TrackedBranch[] = [...item("a"), { step: "sweep.a.seeds", branch: "sweep.a.seeds.1", kind: "map", name: "seed", value: 1 }];
    await Promise.all([tracker.publish("x", [point("m", 1)], nested), tracker.publish("y", [point("n", 2)], nested)]);
    await tracker.endRun("SUCCESS");
    const children = [...server.runs.values()].slice(1);
    expect(children).toHaveLength(1);
    expect(paramsOf(children[0]!)).toEqual({ lr: "a", seed: "1" });
    expect(children[0]!.status).toBe("FINISHED");
  });

  it("does not duplicate children when the run is retried: the item's child is found by its tags and reused", async () => {
    const first = setup();
    await first.tracker.startRun(RUN);
    await first.tracker.publish("t", [point("loss", 0.9)], item(0.1));
    await first.tracker.endBranch!(item(0.1), "FAIL");
    await first.tracker.publish("t", [point("loss", 0.5)], item(0.2));
    await first.tracker.endBranch!(item(0.2), "SUCCESS");
    await first.tracker.endRun("FAIL");
    const retry = createMlflowTracker(
      { server_url: "http://mlflow.test", timeout_ms: 100 },
      { cwd: "/", env: {}, warn: (m) => first.warnings.push(m) },
      {
        fetch: first.server.fetch,
        lingerMs: 1,
      },
    );
    await retry.startRun(RUN);
    await retry.publish("t", [point("loss", 0.3, 1)], item(0.1));
    await retry.endBranch!(item(0.1), "SUCCESS");
    await retry.endRun("SUCCESS");
    const runs = [...first.server.runs.values()];
    expect(runs).toHaveLength(3);
    expect(runs.map((r) => [r.run_name, r.status])).toEqual([
      [RUN.runId, "FINISHED"],
      ["sweep.0.1", "FINISHED"],
      ["sweep.0.2", "FINISHED"],
    ]);
    expect(runs[1]!.metrics.map((m) => [m.step, m.value])).toEqual([
      [0, 0.9],
      [1, 0.3],
    ]);
    expect(first.warnings).toEqual([]);
  });

  it("sends a 100-item sweep in three requests per item (create, one batch, close) and one search for the parent", async () => {
    const { tracker, server } = setup({}, { lingerMs: 20 });
    await tracker.startRun(RUN);
    for (let i = 0; i < 100; i++) {
      const points = Array.from({ length: 300 }, (_, n) => point(["loss", "acc", "f1"][n % 3]!, n, Math.floor(n / 3)));
      await tracker.publish("train", points, item(i));
      await tracker.endBranch!(item(i), "SUCCESS");
    }
    await tracker.endRun("SUCCESS");
    const count = (path: string) => server.calls.filter((c) => c === path).length;
    expect([count("runs/create"), count("runs/update"), count("runs/log-batch"), count("runs/search")]).toEqual([101, 101, 100, 1]);
    expect([...server.runs.values()].slice(1).every((r) => r.metrics.length === 300 && r.status === "FINISHED")).toBe(true);
  });

  it("keeps at most max_concurrent_requests in flight, each child with one sender (one child per item) while items go on publishing", async () => {
    const { tracker, server } = setup({ max_concurrent_requests: 3 }, { lingerMs: 1 });
    let inFlight = 0;
    let most = 0;
    const realFetch = server.fetch;
    const counting = (async (input: string | URL | Request, init?: RequestInit) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      try {
        return await realFetch(input, init);
      } finally {
        inFlight--;
      }
    }) as typeof fetch;
    const tracked = createMlflowTracker(
      { server_url: "http://mlflow.test", timeout_ms: 1000, max_concurrent_requests: 3 },
      { cwd: "/", env: {}, warn: () => {} },
      {
        fetch: counting,
        lingerMs: 1,
      },
    );
    await tracked.startRun(RUN);
    for (let i = 0; i < 30; i++) {
      // Two publishes per item, apart: the second lands while the first may be in flight.
      await tracked.publish("train", [point("loss", i, 0)], item(i));
      await new Promise((resolve) => setTimeout(resolve, 1));
      await tracked.publish("train", [point("loss", i / 2, 1)], item(i));
      await tracked.endBranch!(item(i), "SUCCESS");
    }
    await tracked.endRun("SUCCESS");
    await tracker.endRun("SUCCESS");
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
    const children = [...server.runs.values()].slice(1);
    expect(children.map((c) => c.run_name)).toEqual(Array.from({ length: 30 }, (_, i) => `sweep.${i}`));
    expect(children.every((c) => c.status === "FINISHED" && c.metrics.map((m) => m.step).join() === "0,1")).toBe(true);
  });
});
