import { describe, expect, it } from "vitest";
import { type BranchLog, type RunLog, type StepLog, newStepLog } from "../core/run-log.js";
import { sampleRunConfig } from "../testing/contracts/run-log-store.samples.js";
import { compareRuns } from "./compare.js";
import { hostAllowed, unsafeRelativePath } from "./http-safety.js";
import { branchItems, runMetrics } from "./run-details.js";
import { digestFromSummary, digestRun, parseTimestamp } from "./run-digest.js";
import { runGraph } from "./run-graph.js";
import { queryRuns } from "./run-query.js";

function step(internal: string, status: StepLog["status"], type = "task", ms = 10): StepLog {
  const log = newStepLog(internal.split(".").at(-1)!, internal, type);
  log.status = status;
  log.attempts.push({
    attempt_number: 1,
    start_time: "2026-01-02 03:04:05.000000",
    end_time: "2026-01-02 03:04:06.500000",
    duration: `0:00:00.0${ms}000`,
    status,
    message: "",
    parameters: {},
  });
  return log;
}

/** A map `m` over items a, b.c (a dot in the item) and d, each running `work`; item d fails. */
function mapRun(): RunLog {
  const m = step("m", "FAIL", "map");
  for (const item of ["a", "b.c", "d"]) {
    const status = item === "d" ? "FAIL" : "SUCCESS";
    const work = step(`m.${item}.work`, status);
    work.user_defined_metrics = { loss: { "1": item.length, "2": item.length / 2 } };
    const branch: BranchLog = { internal_name: `m.${item}`, status, steps: { [work.internal_name]: work } };
    m.branches[branch.internal_name] = branch;
  }
  const dag = {
    start_at: "m",
    steps: {
      m: {
        type: "map",
        next: "success",
        branch: { start_at: "work", steps: { work: { type: "task", next: "success" }, success: { type: "success" }, fail: { type: "fail" } } },
      },
      success: { type: "success" },
      fail: { type: "fail" },
    },
  };
  return {
    run_id: "map-1",
    dag_hash: "",
    use_cached: false,
    tag: "t",
    original_run_id: "",
    status: "FAIL",
    steps: { m },
    parameters: { lr: 0.1 },
    run_config: { ...sampleRunConfig("map-1"), dag },
  };
}

describe("run graph", () => {
  it("aggregates a map's items into counts and opens one item's branch exactly", () => {
    const graph = runGraph(mapRun())!;
    const map = graph.nodes.find((n) => n.name === "m")!;
    expect(map).toMatchObject({ status: "FAIL", key: "m", location: [], items: { total: 3, counts: { SUCCESS: 2, FAIL: 1 } } });
    const work = map.branches[0]!.nodes.find((n) => n.name === "work")!;
    expect(work).toMatchObject({ instances: 3, counts: { SUCCESS: 2, FAIL: 1 }, status: null, key: null });
    expect(graph.nodes.find((n) => n.name === "success")!.instances).toBe(0);
    const item = runGraph(mapRun(), [["m", "m.b.c"]])!;
    expect(item).toMatchObject({ name: "b.c", status: "SUCCESS" });
    expect(item.nodes.find((n) => n.name === "work")).toMatchObject({ status: "SUCCESS", key: "m.b.c.work", location: [["m", "m.b.c"]] });
    expect(runGraph(mapRun(), [["m", "m.zzz"]])).toBeUndefined();
  });

  it("lists, searches and filters a map's items", () => {
    const map = mapRun().steps.m!;
    expect(branchItems(map, [], {}).items.map((i) => i.label)).toEqual(["a", "b.c", "d"]);
    expect(branchItems(map, [], { q: "B.C" }).items.map((i) => i.location)).toEqual([[["m", "m.b.c"]]]);
    expect(branchItems(map, [], { status: "FAIL" })).toMatchObject({ total: 3, matched: 1, counts: { SUCCESS: 2, FAIL: 1 } });
    expect(branchItems(map, [], { offset: 1, limit: 1 }).items.map((i) => i.label)).toEqual(["b.c"]);
  });

  it("gives every metric series with its step template and map item", () => {
    const series = runMetrics(mapRun());
    expect(series.map((s) => [s.template, s.item, s.numeric, s.points.map((p) => [p.step, p.value])])).toEqual([
      [
        "m.*.work",
        "a",
        true,
        [
          [1, 1],
          [2, 0.5],
        ],
      ],
      [
        "m.*.work",
        "b.c",
        true,
        [
          [1, 3],
          [2, 1.5],
        ],
      ],
      [
        "m.*.work",
        "d",
        true,
        [
          [1, 1],
          [2, 0.5],
        ],
      ],
    ]);
  });
});

describe("run digests, list queries and comparisons", () => {
  const summary = { run_id: "map-1", status: "FAIL" as const, tag: "t", pipeline_file: "p.yaml", updated_ms: 5 };

  it("reads runnable's naive local timestamps", () => {
    expect(parseTimestamp("2026-01-02 03:04:05.250000")).toBe(new Date(2026, 0, 2, 3, 4, 5).getTime() + 250);
    expect(parseTimestamp("nonsense")).toBeNull();
  });

  it("digests a run: times, last metric values, failed steps", () => {
    const digest = digestRun(mapRun(), summary);
    expect(digest).toMatchObject({ complete: true, parameters: { lr: 0.1 }, metrics: { loss: 0.5 }, failed_steps: ["m", "m.d.work"], step_count: 4 });
    expect(digest.end_ms! - digest.start_ms!).toBe(1500);
  });

  it("filters by status (stale runs apart), tag, pipeline and text, newest first, with facets", () => {
    const runs = [
      { ...digestFromSummary({ ...summary, run_id: "live", status: "PROCESSING" }) },
      { ...digestFromSummary({ ...summary, run_id: "gone", status: "PROCESSING", stale: true }) },
      digestRun(mapRun(), summary),
    ];
    expect(queryRuns(runs, { status: "stale" }, 0).runs.map((r) => r.run_id)).toEqual(["gone"]);
    expect(queryRuns(runs, { status: "PROCESSING" }, 0).runs.map((r) => r.run_id)).toEqual(["live"]);
    expect(queryRuns(runs, { q: "m.d.work" }, 0).runs.map((r) => r.run_id)).toEqual(["map-1"]);
    expect(queryRuns(runs, { tag: "nope" }, 0).matched).toBe(0);
    expect(queryRuns(runs, {}, 2).facets.status).toEqual({ PROCESSING: 1, stale: 1, FAIL: 1 });
  });

  it("marks parameters that differ or are missing", () => {
    const a = mapRun();
    const b = { ...mapRun(), run_id: "map-2", parameters: { lr: 0.1, extra: 1 } };
    const comparison = compareRuns([a, b], [digestRun(a, summary), digestRun(b, { ...summary, run_id: "map-2" })]);
    expect(comparison.parameters).toEqual([
      { key: "lr", values: [0.1, 0.1], present: [true, true], differs: false },
      { key: "extra", values: [null, 1], present: [false, true], differs: true },
    ]);
    // One line per run and map item, labelled (issue 20: never an unlabelled average).
    expect(comparison.metrics[0]!.series.map((s) => [s.run_id, s.item, s.points])).toContainEqual([
      "map-1",
      "m=b.c",
      [
        [1, 3],
        [2, 1.5],
      ],
    ]);
    expect(comparison.metrics[0]!.series).toHaveLength(6);
  });
});

describe("HTTP safety", () => {
  it.each(["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\\\..\\\\b", "%2e%2e/x", "a/%2F/b", "x\0", "", "./a"])("refuses %j", (name) => {
    expect(unsafeRelativePath(name)).toBeDefined();
  });

  it("accepts catalog names", () => {
    expect(unsafeRelativePath("data/numbers.txt")).toBeUndefined();
    expect(unsafeRelativePath("m.a b.execution.log")).toBeUndefined();
  });

  it("accepts only Host headers naming this server", () => {
    const req = (host: string) => ({ headers: { host } }) as never;
    expect(hostAllowed(req("127.0.0.1:80"), "127.0.0.1", 80)).toBe(true);
    expect(hostAllowed(req("localhost:80"), "127.0.0.1", 80)).toBe(true);
    expect(hostAllowed(req("[::1]:80"), "127.0.0.1", 80)).toBe(true);
    expect(hostAllowed(req("evil.example:80"), "127.0.0.1", 80)).toBe(false);
    expect(hostAllowed(req("127.0.0.1:81"), "127.0.0.1", 80)).toBe(false);
    expect(hostAllowed(req("10.1.2.3:80"), "0.0.0.0", 80)).toBe(true);
  });
});
