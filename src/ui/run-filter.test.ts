import { describe, expect, it } from "vitest";
import { digestFromSummary, type RunDigest } from "./run-digest.js";
import { matchesFilter, parseFilter, parseSort, sortRuns, sortsDescending } from "./run-filter.js";
import { queryRuns } from "./run-query.js";

const run = (id: string, metrics: Record<string, unknown>, parameters: Record<string, unknown> = {}): RunDigest => ({
  ...digestFromSummary({ run_id: id, status: "SUCCESS", tag: null, pipeline_file: null, updated_ms: 1 }),
  metrics,
  parameters,
  complete: true,
});

describe("the runs filter grammar", () => {
  it("parses comparisons joined with and", () => {
    expect(parseFilter("loss<0.2 and params.lr >= 1e-3 AND name='a b' && ok=true and metrics.x!=null")).toEqual([
      { scope: "either", name: "loss", op: "<", value: 0.2 },
      { scope: "params", name: "lr", op: ">=", value: 0.001 },
      { scope: "either", name: "name", op: "=", value: "a b" },
      { scope: "either", name: "ok", op: "=", value: true },
      { scope: "metrics", name: "x", op: "!=", value: null },
    ]);
    expect(parseFilter("val/loss==-1")).toEqual([{ scope: "either", name: "val/loss", op: "=", value: -1 }]);
    expect(parseFilter("  ")).toEqual([]);
  });

  it.each([
    ["loss", /expected an operator .* after "loss" at character 5/],
    ["loss <", /expected a value after "loss <"/],
    ["loss < 0.2 or acc > 1", /expected "and", found "or" at character 12/],
    ["< 3", /expected a metric or parameter name at character 1/],
    ["loss < 0.2 $", /unexpected "\$" at character 12/],
  ])("says where %j goes wrong", (text, message) => {
    expect(() => parseFilter(text)).toThrow(message);
  });

  it("compares numbers, text and exact values; a run without the name never matches", () => {
    const a = run("a", { loss: 0.1, tag: "x" }, { lr: 0.01, loss: 9 });
    const b = run("b", { loss: "n/a" }, { lr: 0.1 });
    const c = run("c", {}, { lr: 0.1 });
    const keep = (text: string) => [a, b, c].filter((r) => matchesFilter(r, parseFilter(text))).map((r) => r.run_id);
    expect(keep("loss<0.2")).toEqual(["a"]);
    expect(keep("params.loss>5")).toEqual(["a"]);
    expect(keep("loss!=0.1")).toEqual(["b"]);
    expect(keep("lr=0.1")).toEqual(["b", "c"]);
    expect(keep("lr=0.1 and loss='n/a'")).toEqual(["b"]);
    expect(keep("tag>=w")).toEqual(["a"]);
  });
});

describe("sorting runs by a metric", () => {
  const runs = [run("a", { loss: 0.3, acc: 0.5 }), run("b", { loss: 0.1, acc: 0.9 }), run("c", {}, { loss: 7 }), run("d", { loss: "x" })];

  it("puts the best first by the metric's goal, then text, then runs without it", () => {
    const order = (text: string) => {
      const sort = parseSort(text);
      return sortRuns(runs, sort, sortsDescending(sort, runs, {})).map((r) => r.run_id);
    };
    expect(order("loss")).toEqual(["b", "a", "c", "d"]);
    expect(order("metrics.loss")).toEqual(["b", "a", "d", "c"]);
    expect(order("acc")).toEqual(["b", "a", "c", "d"]);
    expect(order("acc:asc")).toEqual(["a", "b", "c", "d"]);
    expect(order("loss:desc")).toEqual(["c", "a", "b", "d"]);
  });

  it("filters and sorts a runs page", () => {
    const page = queryRuns(runs, { filter: "loss < 1", sort: "loss" }, 0);
    expect(page.runs.map((r) => r.run_id)).toEqual(["b", "a"]);
    expect(page.matched).toBe(2);
    expect(() => queryRuns(runs, { filter: "loss <" }, 0)).toThrow(/expected a value/);
  });

  it("takes several items' value under the user's goal", () => {
    const stats = { count: 3, over: "items" as const, min: 0.1, max: 0.9, last: 0.5, numeric: true };
    const swept = { ...run("s", { loss: 0.1 }), metric_how: { loss: "min over 3 items" }, metric_stats: { loss: stats } };
    expect(queryRuns([swept], { goals: { loss: "max" } }, 0).runs[0]).toMatchObject({ metrics: { loss: 0.9 }, metric_how: { loss: "max over 3 items" } });
  });
});
