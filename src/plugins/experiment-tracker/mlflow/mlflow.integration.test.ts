import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { MetricPoint, TrackedRun } from "../../../ports/experiment-tracker.js";
import { createMlflowClient } from "./mlflow-client.js";
import { createMlflowTracker, type MlflowTrackerDeps } from "./mlflow.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** The real server's URL: $MLFLOW_TRACKING_URI, else the one `scripts/mlflow-server.sh start` wrote. */
function trackingUri(): string | undefined {
  if (process.env["MLFLOW_TRACKING_URI"]) return process.env["MLFLOW_TRACKING_URI"];
  const stateFile = path.join(REPO_ROOT, ".cache", "mlflow.env");
  if (!existsSync(stateFile)) return undefined;
  return /^MLFLOW_TRACKING_URI=(.+)$/m.exec(readFileSync(stateFile, "utf8"))?.[1]?.trim();
}

const URI = trackingUri();
const MISSING = "no MLflow server: run `scripts/mlflow-server.sh start` (or set MLFLOW_TRACKING_URI)";
if (!URI && process.env["CI"]) {
  describe("mlflow tracker against a real server", () => {
    it("needs a server in CI", () => {
      throw new Error(`${MISSING}; CI must start one before the tests`);
    });
  });
} else if (!URI) {
  console.warn(`skipping the MLflow integration tests: ${MISSING}`);
}

const unique = (name: string) => `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const point = (key: string, value: unknown, step = 0, time_ms = Date.now()): MetricPoint => ({ key, value, step, time_ms });

function tracker(serverUrl: string, deps: MlflowTrackerDeps = {}, timeout_ms = 5000) {
  const warnings: string[] = [];
  const context = { cwd: REPO_ROOT, env: {}, warn: (m: string) => warnings.push(m) };
  return { warnings, tracker: createMlflowTracker({ server_url: serverUrl, timeout_ms }, context, deps) };
}

describe.skipIf(!URI)("mlflow tracker against a real server", () => {
  const uri = URI ?? "";
  const client = createMlflowClient({ serverUrl: uri });

  async function mirroredRun(t: ReturnType<typeof tracker>["tracker"]) {
    return client.getRun(String(t.clientContext()["run_id"]));
  }

  it("mirrors metrics with steps, params, the experiment, run name, tags and final status", async () => {
    const { tracker: t, warnings } = tracker(uri);
    const run: TrackedRun = { runId: unique("run"), tag: unique("exp"), pipelineName: "train", gitCommit: "0123abc" };
    await t.startRun(run);
    await t.publish("fit", [point("loss", 0.9, 0, 1000), point("loss", 0.5, 1, 2000), point("loss", 0.25, 2, 3000)]);
    await t.publish("fit", [point("answer", 42), point("spam", "hello", 1), point("is_it_true", false), point("eggs", { ham: "world" })]);
    await t.endRun("SUCCESS");
    expect(warnings).toEqual([]);

    const mirrored = await mirroredRun(t);
    const experiment = await client.getExperimentByName(run.tag);
    expect(mirrored.info.experiment_id).toBe(experiment?.experiment_id);
    expect(mirrored.info.run_name).toBe(run.runId);
    expect(mirrored.info.status).toBe("FINISHED");
    expect(mirrored.info.end_time).toBeGreaterThan(0);
    const history = await client.getMetricHistory(mirrored.info.run_id, "loss");
    expect(history.map(({ step, value, timestamp }) => [step, value, timestamp])).toEqual([
      [0, 0.9, 1000],
      [1, 0.5, 2000],
      [2, 0.25, 3000],
    ]);
    const params = Object.fromEntries((mirrored.data.params ?? []).map((p) => [p.key, p.value]));
    // runnable's tracker: a mapping recorded at one step is flattened, values are Python's str().
    expect(params).toEqual({ spam_1: "hello", is_it_true_0: "False", eggs_ham: "world" });
    const tags = Object.fromEntries((mirrored.data.tags ?? []).map((p) => [p.key, p.value]));
    expect(tags).toMatchObject({
      "runnable.run_id": run.runId,
      "runnable.pipeline": "train",
      "runnable.tag": run.tag,
      "mlflow.source.git.commit": "0123abc",
      "runnable.step.fit": "7",
    });
    expect((mirrored.data.metrics ?? []).find((m) => m.key === "answer")?.value).toBe(42);
  });

  it("marks failed runs FAILED, uses Default without a tag, and exposes a working client context", async () => {
    const { tracker: t, warnings } = tracker(uri);
    await t.startRun({ runId: unique("run"), tag: "", pipelineName: "p", gitCommit: null });
    const ctx = t.clientContext();
    expect(ctx).toMatchObject({ tracking_uri: uri, experiment_id: "0", headers: {} });
    // A task can log to the same MLflow run itself.
    await createMlflowClient({ serverUrl: String(ctx["tracking_uri"]) }).setTag(String(ctx["run_id"]), "from.task", "yes");
    await t.publish("s", [point("long", "x".repeat(7000))]);
    await t.endRun("FAIL");
    const mirrored = await mirroredRun(t);
    expect(mirrored.info.status).toBe("FAILED");
    expect(mirrored.data.params?.[0]?.value).toHaveLength(6000);
    expect(mirrored.data.tags?.find((tag) => tag.key === "from.task")?.value).toBe("yes");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/truncated/);
  });

  it("sanitises keys so that MLflow accepts odd metric and param names", async () => {
    const { tracker: t, warnings } = tracker(uri);
    await t.startRun({ runId: unique("run"), tag: "", pipelineName: "p", gitCommit: null });
    const odd = ["acc@top-1", "../up", "/lead//double/", "ключ точность", "a\"quote'", "x".repeat(300)];
    await t.publish("weird/step?", [...odd.map((key) => point(key, 1)), ...odd.map((key) => point(key, "text", 3))]);
    await t.endRun("SUCCESS");
    expect(warnings).toEqual([]);
    const mirrored = await mirroredRun(t);
    expect(mirrored.data.metrics?.map((m) => m.key).sort()).toEqual(["__/up", "a_quote_", "acc_top-1", "lead/double", "ключ точность", "x".repeat(250)].sort());
    expect(mirrored.data.params).toHaveLength(odd.length);
    expect(mirrored.data.tags?.some((tag) => tag.key === "runnable.step.weird/step_")).toBe(true);
  });

  it("keeps one MLflow run when a second process of the same run starts the tracker again", async () => {
    const run: TrackedRun = { runId: unique("run"), tag: unique("exp"), pipelineName: "p", gitCommit: null };
    const first = tracker(uri);
    await first.tracker.startRun(run);
    await first.tracker.publish("a", [point("mode", "fast"), point("acc", 0.5, 0)]);
    await first.tracker.endRun("SUCCESS");
    const second = tracker(uri);
    await second.tracker.startRun(run);
    await second.tracker.publish("b", [point("mode", "fast"), point("acc", 0.7, 1)]);
    await second.tracker.endRun("SUCCESS");
    expect([...first.warnings, ...second.warnings]).toEqual([]);
    expect(second.tracker.clientContext()["run_id"]).toBe(first.tracker.clientContext()["run_id"]);
    const experiment = await client.getExperimentByName(run.tag);
    expect(await client.searchRuns([experiment!.experiment_id], "", 10)).toHaveLength(1);
    const history = await client.getMetricHistory(String(second.tracker.clientContext()["run_id"]), "acc");
    expect(history.map((m) => m.step)).toEqual([0, 1]);
  });

  it("sends 5,000 points in at most 10 requests and the full history arrives", async () => {
    const { tracker: t, warnings } = tracker(uri);
    await t.startRun({ runId: unique("run"), tag: "bench", pipelineName: "p", gitCommit: null });
    const before = t.stats().requests;
    for (let step = 0; step < 5; step += 1) {
      await t.publish(
        `s${step}`,
        Array.from({ length: 1000 }, (_, i) => point("acc", i / 1000, step * 1000 + i)),
      );
    }
    await t.endRun("SUCCESS");
    expect(warnings).toEqual([]);
    expect(t.stats().requests - before).toBeLessThanOrEqual(10);
    const history = await client.getMetricHistory(String(t.clientContext()["run_id"]), "acc");
    expect(history).toHaveLength(5000);
    expect(new Set(history.map((m) => m.step)).size).toBe(5000);
  });

  it("finishes quickly with one warning when the server is unreachable", async () => {
    const { tracker: t, warnings } = tracker("http://127.0.0.1:9", { backoffMs: 20 }, 300);
    const started = Date.now();
    await t.startRun({ runId: unique("run"), tag: "", pipelineName: "p", gitCommit: null });
    for (let i = 0; i < 20; i += 1) await t.publish(`s${i}`, [point("acc", i, i), point("note", "x", i)]);
    await t.endRun("SUCCESS");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^MLflow at http:\/\/127\.0\.0\.1:9 unreachable .*20 metric points and 20 params not mirrored; they remain in the run log$/);
    expect(t.stats().requests).toBe(3);
  });
});
