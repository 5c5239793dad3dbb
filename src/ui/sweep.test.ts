import { describe, expect, it } from "vitest";
import { type BranchLog, type RunLog, type StepLog, newStepLog } from "../core/run-log.js";
import { sampleRunConfig } from "../testing/contracts/run-log-store.samples.js";
import { compareRuns } from "./compare.js";
import { goalOf, parseGoals } from "./metric-goals.js";
import { digestRun } from "./run-digest.js";
import { runFinalMetrics, runMetricStats } from "./run-metrics.js";
import { runSweeps, sortItems } from "./sweep.js";

function step(internal: string, name: string, status: StepLog["status"], type = "task", seconds = [5, 6]): StepLog {
  const log = newStepLog(name, internal, type);
  log.status = status;
  log.attempts.push({
    attempt_number: 1,
    start_time: `2026-01-02 03:04:0${seconds[0]}.000000`,
    end_time: `2026-01-02 03:04:0${seconds[1]}.000000`,
    duration: "0:00:01",
    status,
    message: "",
    parameters: {},
  });
  return log;
}

/** A sweep over lr (0.1 fails, strings and numbers mixed), each item training (loss by epoch) then evaluating (loss and acc). */
function sweepRun(runId = "sweep-1", losses: Record<string, number> = { "0.1": 0.9, "0.01": 0.2, fast: 0.5 }): RunLog {
  const sweep = step("sweep", "sweep", "FAIL", "map", [1, 9]);
  const items: Array<[string, unknown]> = [
    ["0.1", 0.1],
    ["0.01", 0.01],
    ["fast", "fast"],
  ];
  items.forEach(([text, value], index) => {
    const key = `sweep.${text}`;
    const status = text === "0.1" ? "FAIL" : "SUCCESS";
    const train = step(`${key}.train`, "train", "SUCCESS", "task", [2 + index, 3 + index]);
    train.user_defined_metrics = { loss: { "0": 1, "1": losses[text]! } };
    const evaluate = step(`${key}.evaluate`, "evaluate", status, "task", [3 + index, 5 + index]);
    evaluate.user_defined_metrics = { loss: losses[text]! * 2, acc: 1 - losses[text]!, note: "ok" };
    const branch: BranchLog = {
      internal_name: key,
      status,
      steps: { [train.internal_name]: train, [evaluate.internal_name]: evaluate },
      parameters: { lr: value },
    };
    sweep.branches[key] = branch;
  });
  const top = step("prepare", "prepare", "SUCCESS", "task", [0, 1]);
  top.user_defined_metrics = { rows: 100 };
  const dag = {
    start_at: "prepare",
    steps: { prepare: { type: "task" }, sweep: { type: "map", iterate_as: "lr", branch: { steps: { train: { type: "task" }, evaluate: { type: "task" } } } } },
  };
  return {
    run_id: runId,
    dag_hash: "",
    use_cached: false,
    tag: "",
    original_run_id: "",
    status: "FAIL",
    steps: { prepare: top, sweep },
    parameters: { lrs: [0.1, 0.01, "fast"] },
    run_config: { ...sampleRunConfig(runId), dag },
  };
}

describe("sweeps: each map item is its own record", () => {
  it("gives every item its iterate value, status, duration, final metrics and series", () => {
    const [sweep] = runSweeps(sweepRun());
    expect(sweep).toMatchObject({ step: "sweep", kind: "map", names: ["lr"] });
    expect(sweep!.items.map((i) => [i.label, i.status, i.duration_ms])).toEqual([
      ["lr=0.1", "FAIL", 3000],
      ["lr=0.01", "SUCCESS", 3000],
      ["lr=fast", "SUCCESS", 3000],
    ]);
    expect(sweep!.items[1]!.values).toEqual([{ name: "lr", value: 0.01, kind: "map" }]);
    // `loss` is recorded by two steps of an item: each gets its own name.
    expect(sweep!.metrics.map((m) => [m.name, m.goal, m.numeric])).toEqual([
      ["train/loss", "min", true],
      ["evaluate/loss", "min", true],
      ["acc", "max", true],
      ["note", "max", false],
    ]);
    expect(sweep!.items[1]!.final).toEqual({ "train/loss": 0.2, "evaluate/loss": 0.4, acc: 0.8, note: "ok" });
    expect(sweep!.items[1]!.series["train/loss"]).toEqual([
      [0, 1],
      [1, 0.2],
    ]);
  });

  it("marks the best and worst item per metric under its goal, and sorts best first", () => {
    const [sweep] = runSweeps(sweepRun());
    const acc = sweep!.metrics.find((m) => m.name === "acc")!;
    expect([acc.best, acc.worst]).toEqual(["sweep.0.01", "sweep.0.1"]);
    expect(sortItems(sweep!.items, "train/loss", "min").map((i) => i.label)).toEqual(["lr=0.01", "lr=fast", "lr=0.1"]);
    expect(sortItems(sweep!.items, "train/loss", "max").map((i) => i.label)).toEqual(["lr=0.1", "lr=fast", "lr=0.01"]);
    const [flipped] = runSweeps(sweepRun(), parseGoals(["acc=min"]));
    expect(flipped!.metrics.find((m) => m.name === "acc")!.best).toBe("sweep.0.1");
  });

  it("labels items of a map nested in a map with both values, and parallel branches by name", () => {
    const outer = step("o", "o", "SUCCESS", "map");
    for (const seed of [1, 2]) {
      const inner = step(`o.${seed}.i`, "i", "SUCCESS", "map");
      for (const lr of ["a", "b"]) {
        const fit = step(`o.${seed}.i.${lr}.fit`, "fit", "SUCCESS");
        fit.user_defined_metrics = { score: seed * 10 + lr.length };
        inner.branches[`o.${seed}.i.${lr}`] = { internal_name: `o.${seed}.i.${lr}`, status: "SUCCESS", steps: { [fit.internal_name]: fit } };
      }
      const par = step(`o.${seed}.p`, "p", "SUCCESS", "parallel");
      par.branches[`o.${seed}.p.x`] = { internal_name: `o.${seed}.p.x`, status: "SUCCESS", steps: {} };
      outer.branches[`o.${seed}`] = { internal_name: `o.${seed}`, status: "SUCCESS", steps: { [inner.internal_name]: inner, [par.internal_name]: par } };
    }
    const dag = { steps: { o: { type: "map", iterate_as: "seed", branch: { steps: { i: { type: "map", iterate_as: "lr" }, p: { type: "parallel" } } } } } };
    const run = { ...sweepRun(), steps: { o: outer }, run_config: { ...sampleRunConfig("n"), dag } };
    const sweeps = runSweeps(run);
    expect(sweeps.map((s) => [s.step, s.names, s.items.map((i) => i.label)])).toEqual([
      ["o", ["seed"], ["seed=1", "seed=2"]],
      ["o.*.i", ["seed", "lr"], ["seed=1, lr=a", "seed=1, lr=b", "seed=2, lr=a", "seed=2, lr=b"]],
      ["o.*.p", ["seed", "p"], ["seed=1, x", "seed=2, x"]],
    ]);
    // The outer items hold no metrics of their own: the inner items have them.
    expect(sweeps[0]!.metrics).toEqual([]);
    expect(sweeps[1]!.items.map((i) => i.final["score"])).toEqual([11, 11, 21, 21]);
  });
});

describe("a run's final metrics say how they were obtained", () => {
  it("takes the best of several items under the goal, never silently the last", () => {
    const metrics = runFinalMetrics(runMetricStats(sweepRun()));
    expect(metrics["loss"]).toEqual({ value: 0.2, how: "min over 6 items" });
    expect(metrics["acc"]).toEqual({ value: 0.8, how: "max over 3 items" });
    expect(metrics["rows"]).toEqual({ value: 100 });
    expect(metrics["note"]).toEqual({ value: "ok", how: "last of 3 items (not all numbers)" });
    expect(runFinalMetrics(runMetricStats(sweepRun()), { loss: "max" })["loss"]).toEqual({ value: 1.8, how: "max over 6 items" });
  });

  it("puts the value and how into the run's digest", () => {
    const digest = digestRun(sweepRun(), { run_id: "sweep-1", status: "FAIL", tag: "", pipeline_file: null, updated_ms: 1 });
    expect(digest.metrics).toMatchObject({ loss: 0.2, acc: 0.8, rows: 100 });
    expect(digest.metric_how).toMatchObject({ loss: "min over 6 items", acc: "max over 3 items" });
    expect(digest.metric_how["rows"]).toBeUndefined();
  });

  it("infers goals from metric names and takes the user's", () => {
    expect(["loss", "val_loss", "trainLoss", "error_rate", "rmse", "latency_ms", "wall-time"].map((k) => goalOf(k))).toEqual(Array(7).fill("min"));
    expect(["acc", "accuracy", "f1", "auc", "answer", "precision"].map((k) => goalOf(k))).toEqual(Array(6).fill("max"));
    expect(goalOf("loss", { loss: "max" })).toBe("max");
    expect(() => parseGoals(["loss=lowest"])).toThrow(/METRIC=min or METRIC=max/);
  });
});

describe("comparing runs item by item", () => {
  it("matches items by iterate value and labels every metric line by run and item", () => {
    const a = sweepRun("a");
    const b = sweepRun("b", { "0.01": 0.1, fast: 0.7, "0.1": 0.3 });
    delete b.steps["sweep"]!.branches["sweep.fast"];
    const summary = (id: string) => ({ run_id: id, status: "FAIL" as const, tag: "", pipeline_file: null, updated_ms: 1 });
    const comparison = compareRuns([a, b], [digestRun(a, summary("a")), digestRun(b, summary("b"))]);
    const rows = comparison.items[0]!.rows;
    expect(rows.map((r) => [r.label, r.runs.map((run) => run?.final["acc"] ?? null)])).toEqual([
      ["lr=0.1", [0.09999999999999998, 0.7]],
      ["lr=0.01", [0.8, 0.9]],
      ["lr=fast", [0.5, null]],
    ]);
    expect(comparison.final_metrics.find((r) => r.key === "loss")).toMatchObject({ values: [0.2, 0.1], how: ["min over 6 items", "min over 4 items"] });
    const lines = comparison.metrics.find((m) => m.key === "loss")!.series;
    expect(lines.filter((s) => s.run_id === "a").map((s) => [s.template, s.item])).toEqual([
      ["sweep.*.train", "lr=0.1"],
      ["sweep.*.evaluate", "lr=0.1"],
      ["sweep.*.train", "lr=0.01"],
      ["sweep.*.evaluate", "lr=0.01"],
      ["sweep.*.train", "lr=fast"],
      ["sweep.*.evaluate", "lr=fast"],
    ]);
  });
});
