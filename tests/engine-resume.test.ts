// Re-runs (`--use-cached`) and retries (`runnable retry`) on the engine harness: the real engine and
// real shell tasks in a scratch folder, the store in memory. The CLI's side of both (loading the
// original, leases, the pipeline file, messages) is in tests/rerun.test.ts.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Services } from "../src/engine/services.js";
import { graphOf, realTaskServices, runGraph } from "../src/testing/engine-harness.js";
import { contractErrors } from "./helpers/cli.js";
import { statuses } from "./helpers/composite.js";

let dir = "";
let services: Services;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-engine-resume-"));
  services = await realTaskServices();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const shell = (command: string, next: string) => ({ type: "task", command_type: "shell", command, next });
const pipeline = (start: string, steps: Record<string, unknown>) => graphOf({ start_at: start, steps });
const counts = async (file: string) => {
  const text = await readFile(join(dir, file), "utf8").catch(() => "");
  const seen: Record<string, number> = {};
  for (const line of text.split("\n").filter(Boolean)) seen[line] = (seen[line] ?? 0) + 1;
  return seen;
};
/** map.yaml of tests/rerun.test.ts: items p, q, r; an item fails unless the file ok-<item> exists. */
const mapPipeline = () =>
  pipeline("make", {
    make: shell(`export RUNNABLE_PRM_items='["p", "q", "r"]'`, "each"),
    each: {
      type: "map",
      iterate_on: "items",
      iterate_as: "item",
      next: "success",
      branch: {
        start_at: "work",
        steps: {
          work: shell(
            'item=$(echo $RUNNABLE_PRM_item | tr -d \\"); echo $item >> map.ran; test -e ok-$item || exit 3; export RUNNABLE_PRM_out=\\"done-$item\\"',
            "success",
          ),
        },
      },
    },
  });

describe("re-runs (--use-cached) on the engine", () => {
  it("re-runs from a failure in the middle of a chain, through steps the original never reached (runnable crashes)", async () => {
    const chain = (b: string) =>
      pipeline("a", {
        a: shell("echo a >> chain.ran", "b"),
        b: shell(b, "c"),
        c: shell("echo c >> chain.ran", "d"),
        d: shell("echo d >> chain.ran; export RUNNABLE_PRM_done=yes", "success"),
      });
    const original = await runGraph(chain("exit 1"), services, { runId: "chain-1", cwd: dir });
    expect(original.status).toBe("FAIL");
    const log = await runGraph(chain("echo b >> chain.ran"), services, { runId: "chain-2", cwd: dir, mode: { kind: "cached", original } });
    expect(statuses(log.steps)).toEqual({ a: "SUCCESS", b: "SUCCESS", c: "SUCCESS", d: "SUCCESS", success: "SUCCESS" });
    expect(log.steps.a!.mock).toBe(true);
    expect(log.parameters).toEqual({ done: "yes" });
    expect(await counts("chain.ran")).toEqual({ a: 1, b: 1, c: 1, d: 1 });
  });

  it("re-runs only the failed items of a map; the others' steps are recorded mocked and their outputs restored", async () => {
    await writeFile(join(dir, "ok-p"), "");
    await writeFile(join(dir, "ok-r"), "");
    const original = await runGraph(mapPipeline(), services, { runId: "map-1", cwd: dir });
    expect(original.status).toBe("FAIL");
    await writeFile(join(dir, "ok-q"), "");
    await rm(join(dir, "map.ran"));
    const log = await runGraph(mapPipeline(), services, { runId: "map-2", cwd: dir, mode: { kind: "cached", original } });
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.make!.mock).toBe(true);
    expect(log.steps.each!.mock).toBe(false);
    const branch = (item: string) => log.steps.each!.branches[`each.${item}`]!.steps[`each.${item}.work`];
    expect(branch("p")).toMatchObject({ mock: true, status: "SUCCESS", attempts: [] });
    expect(branch("q")).toMatchObject({ mock: false, status: "SUCCESS" });
    expect(log.parameters.out).toEqual(["done-p", "done-q", "done-r"]);
    expect(await counts("map.ran")).toEqual({ q: 1 });
  });
});

describe("retries (runnable retry) on the engine: the same run continued", () => {
  it("appends new attempts, keeps what succeeded, drops the old fail step and recomputes the status", async () => {
    const graph = pipeline("a", {
      a: shell("echo a >> retry.ran; export RUNNABLE_PRM_x=1", "b"),
      b: shell("echo b >> retry.ran; test -e fixed-b", "c"),
      c: shell("echo c >> retry.ran", "success"),
    });
    const failed = await runGraph(graph, services, { runId: "retry-1", cwd: dir });
    expect(failed.status).toBe("FAIL");
    expect(Object.keys(failed.steps)).toEqual(["a", "b", "fail"]);
    await writeFile(join(dir, "fixed-b"), "");
    const log = await runGraph(graph, services, { runId: "retry-1", cwd: dir, mode: { kind: "retry", stored: failed } });
    expect(log.status).toBe("SUCCESS");
    expect(Object.keys(log.steps)).toEqual(["a", "b", "c", "success"]);
    expect(log.steps.a!.attempts.map((a) => a.attempt_number)).toEqual([1]);
    expect(log.steps.b!.attempts.map((a) => [a.attempt_number, a.status])).toEqual([
      [1, "FAIL"],
      [2, "SUCCESS"],
    ]);
    expect(log.steps.c!.attempts[0]!.parameters).toEqual({ x: 1 });
    expect(log.parameters).toEqual({ x: 1 });
    expect(await counts("retry.ran")).toEqual({ a: 1, b: 2, c: 1 });
    expect(await contractErrors(log)).toEqual([]);
  });

  it("re-runs only the failed items of a partly finished map, attempts numbered on", async () => {
    await writeFile(join(dir, "ok-p"), "");
    await writeFile(join(dir, "ok-r"), "");
    const failed = await runGraph(mapPipeline(), services, { runId: "map-3", cwd: dir });
    expect(failed.status).toBe("FAIL");
    await writeFile(join(dir, "ok-q"), "");
    const log = await runGraph(mapPipeline(), services, { runId: "map-3", cwd: dir, mode: { kind: "retry", stored: failed } });
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.each!.attempts.map((a) => a.status)).toEqual(["FAIL", "SUCCESS"]);
    const work = (item: string) => log.steps.each!.branches[`each.${item}`]!.steps[`each.${item}.work`]!;
    expect(work("p").attempts).toHaveLength(1);
    expect(work("q").attempts.map((a) => a.attempt_number)).toEqual([1, 2]);
    expect(Object.keys(log.steps.each!.branches["each.q"]!.steps)).toEqual(["each.q.work", "each.q.success"]);
    expect(log.parameters.out).toEqual(["done-p", "done-q", "done-r"]);
    expect(await counts("map.ran")).toEqual({ p: 1, q: 2, r: 1 });
  });
});
