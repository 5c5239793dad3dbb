import { describe, expect, it } from "vitest";
import { collapseMetrics, decodeMetricTimes, encodeMetricTimes, MetricSeries, parseTrackVariable } from "./metrics.js";

describe("MetricSeries", () => {
  it("collapses as values are recorded: last value per (key, step), plain value for step 0 only", () => {
    const series = new MetricSeries();
    series.record("loss", 0, 0.9, 1000);
    series.record("loss", 1, 0.5, 1001);
    series.record("loss", 1, 0.4, 1005);
    series.record("answer", 0, 42, 1002);
    series.record("late", 3, "x", 1003);
    expect(series.collapsed()).toEqual({ loss: { "0": 0.9, "1": 0.4 }, answer: 42, late: { "3": "x" } });
    expect(series.size).toBe(4);
    expect([...series]).toEqual([
      { key: "loss", step: 0, value: 0.9, time_ms: 1000 },
      { key: "loss", step: 1, value: 0.4, time_ms: 1005 },
      { key: "answer", step: 0, value: 42, time_ms: 1002 },
      { key: "late", step: 3, value: "x", time_ms: 1003 },
    ]);
  });

  it("orders steps recorded out of order, and agrees with folding the points", () => {
    const points = [5, 2, 9, 2, 0, 7].map((step, i) => ({ key: "k", step, value: i, time_ms: 2000 + i }));
    const series = MetricSeries.from(points);
    expect(Object.keys(series.collapsed()["k"] as object)).toEqual(["0", "2", "5", "7", "9"]);
    expect(series.collapsed()).toEqual({ k: { "0": 4, "2": 3, "5": 0, "7": 5, "9": 2 } });
    expect([...series].map((p) => p.step)).toEqual([0, 2, 5, 7, 9]);
    expect(collapseMetrics(points)).toEqual(series.collapsed());
    expect(MetricSeries.from(series)).toBe(series);
  });

  it("writes times delta-encoded per key, in step order, and reads them back (old object form too)", () => {
    const series = new MetricSeries();
    series.record("k", 2, 1, 1_764_581_234_570);
    series.record("k", 0, 1, 1_764_581_234_567);
    series.record("k", 1, 1, 1_764_581_234_569);
    const times = series.times();
    expect(times).toEqual({ k: "1764581234567,2,1" });
    expect([...decodeMetricTimes(times["k"], [2, 0, 1])]).toEqual([
      [0, 1_764_581_234_567],
      [1, 1_764_581_234_569],
      [2, 1_764_581_234_570],
    ]);
    expect([...decodeMetricTimes({ "3": 10 }, [3])]).toEqual([[3, 10]]);
    expect(decodeMetricTimes("garbage", [0]).size).toBe(0);
    expect(encodeMetricTimes([5, 3, 3])).toBe("5,-2,0");
  });
});

describe("parseTrackVariable", () => {
  it("takes only a final _STEP_<n> as the step", () => {
    expect(parseTrackVariable("RUNNABLE_TRACK_loss_STEP_3")).toEqual({ key: "loss", step: 3 });
    expect(parseTrackVariable("runnable_TRACK_a_STEP_b")).toEqual({ key: "a_STEP_b", step: 0 });
    expect(parseTrackVariable("RUNNABLE_TRACK_")).toBeUndefined();
  });
});
