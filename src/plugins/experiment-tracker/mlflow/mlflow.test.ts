import { createServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { mlflowTrackerConfigSchema, mlflowTrackerPlugin } from "./index.js";
import { createMlflowTracker } from "./mlflow.js";
import { point, RUN, setup } from "./mlflow-fake.fixture.js";

describe("mlflow tracker config", () => {
  it("is strict, defaults timeout_ms and accepts runnable's autolog key", () => {
    expect(mlflowTrackerConfigSchema.parse({ server_url: "http://h:5000" })).toEqual({ server_url: "http://h:5000", timeout_ms: 5000, autolog: false });
    expect(mlflowTrackerConfigSchema.safeParse({ server_url: "http://h", autolog: true }).success).toBe(true);
    expect(mlflowTrackerConfigSchema.safeParse({ server_url: "http://h", auto_log: true }).success).toBe(false);
    expect(mlflowTrackerConfigSchema.safeParse({ server_url: "not a url" }).success).toBe(false);
    expect(mlflowTrackerConfigSchema.safeParse({ server_url: "file:///x" }).success).toBe(false);
    expect(mlflowTrackerPlugin.kind).toBe("experiment_tracker");
  });
});

describe("mlflow tracker", () => {
  it("creates one MLflow run named after the run id, in the experiment named by the tag", async () => {
    const { server, tracker, only } = setup();
    await tracker.startRun(RUN);
    expect(server.experiments.get("exp-a")).toBe("1");
    expect(only().run_name).toBe(RUN.runId);
    expect(Object.fromEntries(only().tags)).toEqual({
      "runnable.run_id": RUN.runId,
      "runnable.pipeline": "train",
      "mlflow.source.git.commit": "abc123",
      "runnable.tag": "exp-a",
    });
    expect(tracker.clientContext()).toEqual({ tracking_uri: "http://mlflow.test", experiment_id: "1", run_id: "mlrun0", headers: {} });
  });

  it("uses Default without a tag, experiment_name when configured, and survives a creation race", async () => {
    const plain = setup();
    await plain.tracker.startRun({ ...RUN, tag: "" });
    expect(plain.only().experiment_id).toBe("0");
    const named = setup({ experiment_name: "fixed" });
    named.server.hooks.before = (path, body) => {
      if (path !== "experiments/create") return undefined;
      named.server.experiments.set(String(body["name"]), "9"); // another process wins the race
      return undefined;
    };
    await named.tracker.startRun(RUN);
    expect(named.only().experiment_id).toBe("9");
    expect(named.warnings).toEqual([]);
  });

  it("logs numbers as metrics and everything else as <key>_<step> params", async () => {
    const { tracker, only, warnings } = setup();
    await tracker.startRun(RUN);
    await tracker.publish("train step", [
      point("answer", 42, 0, 1000),
      point("loss", 0.5, 3, 2000),
      point("is_it_true", false),
      point("spam", "hello", 1),
      point("eggs", { ham: "world", n: 3 }, 2),
      point("spam", { a: [1, true, null] }, 3),
      point("bad key!", 1),
    ]);
    await tracker.endRun("SUCCESS");
    expect(only().metrics).toEqual([
      { key: "answer", value: 42, step: 0, timestamp: 1000 },
      { key: "loss", value: 0.5, step: 3, timestamp: 2000 },
      { key: "eggs_n", value: 3, step: 2, timestamp: 1_700_000_000_000 },
      { key: "bad key_", value: 1, step: 0, timestamp: 1_700_000_000_000 },
    ]);
    // As runnable's tracker: a one-step mapping is flattened (`eggs_ham`), values are Python's str() (`False`).
    expect(Object.fromEntries(only().params)).toEqual({ is_it_true_0: "False", spam_1: "hello", eggs_ham: "world", spam_3: "{'a': [1, True, None]}" });
    expect(only().tags.get("runnable.step.train step")).toBe("7");
    expect(only().status).toBe("FINISHED");
    expect(only().end_time).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
  });

  it("skips repeated params, warns once about changed ones and truncates long ones", async () => {
    const { tracker, only, server, warnings } = setup();
    await tracker.startRun(RUN);
    await tracker.publish("a", [point("mode", "fast"), point("blob", "x".repeat(7000))]);
    await tracker.publish("b", [point("mode", "fast"), point("mode", "slow"), point("mode", "slower")]);
    await tracker.endRun("FAIL");
    expect(only().params.get("mode_0")).toBe("fast");
    expect(only().params.get("blob_0")).toHaveLength(6000);
    expect(server.batches.flatMap((b) => b.params.map((p) => p.key))).toEqual(["mode_0", "blob_0"]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/blob_0.*truncated/);
    expect(warnings[1]).toMatch(/mode_0.*cannot change.*step "b"/);
    expect(only().status).toBe("FAILED");
  });

  it("batches 5,000 points (+10 step tags) into 6 log-batch requests and returns from publish at once", async () => {
    const { tracker, only, server } = setup({}, { lingerMs: 50 });
    await tracker.startRun(RUN);
    server.hooks.delayMs = 50; // a slow server: publish must not wait for it
    for (let step = 0; step < 10; step += 1) {
      const points = Array.from({ length: 500 }, (_, i) => point(`m${i % 5}`, i, step * 100 + i));
      await tracker.publish(`s${step}`, points);
    }
    expect(server.calls.filter((c) => c === "runs/log-batch").length).toBeLessThanOrEqual(1);
    expect(only().metrics).toHaveLength(0); // nothing delivered yet, yet every publish has returned
    await tracker.endRun("SUCCESS");
    expect(server.calls.filter((c) => c === "runs/log-batch").length).toBe(6);
    expect(only().metrics).toHaveLength(5000);
    expect(tracker.stats().points).toBe(5000 + 10);
  });

  it("resumes the MLflow run another process created for the same run id", async () => {
    const first = setup();
    await first.tracker.startRun(RUN);
    await first.tracker.publish("a", [point("mode", "fast")]);
    await first.tracker.endRun("SUCCESS");
    const second = createMlflowTracker(
      { server_url: "http://mlflow.test", timeout_ms: 100 },
      { cwd: "/", env: {}, warn: (m) => first.warnings.push(m) },
      { fetch: first.server.fetch, lingerMs: 1 },
    );
    await second.startRun(RUN);
    await second.publish("b", [point("mode", "fast"), point("acc", 1)]);
    await second.endRun("SUCCESS");
    expect(first.server.runs.size).toBe(1);
    expect(first.only().metrics).toHaveLength(1);
    expect(first.warnings).toEqual([]);
  });

  it("never throws from publish, even for values that cannot be written out", async () => {
    const { tracker, warnings, only } = setup();
    await tracker.startRun(RUN);
    const loop: Record<string, unknown> = {};
    loop["self"] = loop;
    await expect(tracker.publish("a", [point("big", 10n), point("loop", loop), point("loop", 1, 1)])).resolves.toBeUndefined();
    await tracker.endRun("SUCCESS");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/call stack/);
    expect(only().params.get("big_0")).toBe("10");
  });

  it("keeps the metrics of a batch MLflow rejects because of a param", async () => {
    const { tracker, only, server, warnings } = setup();
    await tracker.startRun(RUN);
    only().params.set("mode_0", "set-elsewhere");
    await tracker.publish("a", [point("mode", "fast"), point("acc", 0.9)]);
    await tracker.endRun("SUCCESS");
    expect(only().metrics.map((m) => m.key)).toEqual(["acc"]);
    expect(server.calls.filter((c) => c === "runs/log-batch")).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/rejected some data.*0 metric points and 1 params not mirrored/);
  });

  it("never throws when the server is unreachable and warns once with what was not mirrored", async () => {
    const { tracker, server, warnings } = setup();
    server.hooks.before = () => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    };
    const started = Date.now();
    await tracker.startRun(RUN);
    await tracker.publish("a", [point("acc", 1), point("loss", 2), point("mode", "x")]);
    await tracker.publish("b", [point("acc", 3, 1)]);
    await tracker.endRun("SUCCESS");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.calls).toHaveLength(3); // one request, three attempts, then no more tries
    expect(warnings).toEqual([
      "MLflow at http://mlflow.test unreachable (MLflow experiments/get-by-name: cannot connect (ECONNREFUSED)): " +
        "3 metric points and 1 params not mirrored; they remain in the run log",
    ]);
    expect(tracker.clientContext()).toEqual({});
  });

  it("stops sending after the server goes away mid-run", async () => {
    const { tracker, server, warnings, only } = setup();
    await tracker.startRun(RUN);
    await tracker.publish("a", [point("acc", 1)]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    server.hooks.before = () => new Response("down", { status: 503 });
    await tracker.publish(
      "b",
      Array.from({ length: 2500 }, (_, i) => point("acc", i, i)),
    );
    await tracker.endRun("SUCCESS");
    expect(only().metrics).toHaveLength(1);
    expect(server.calls.filter((c) => c === "runs/log-batch")).toHaveLength(1 + 3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unreachable \(MLflow runs\/log-batch: HTTP 503: down\): 2500 metric points and 0 params/);
  });

  it("bounds the time a silent server costs: one timeout, then nothing more is tried", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const warnings: string[] = [];
    const tracker = createMlflowTracker({ server_url: `http://127.0.0.1:${port}`, timeout_ms: 200 }, { cwd: "/", env: {}, warn: (m) => warnings.push(m) });
    try {
      const started = Date.now();
      await tracker.startRun(RUN);
      await tracker.publish("a", [point("acc", 1)]);
      await tracker.endRun("SUCCESS");
      expect(Date.now() - started).toBeLessThan(1500);
      expect(tracker.stats().requests).toBe(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/unreachable .*no answer within 200 ms.*1 metric points/);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
