import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Graph } from "../src/core/graph.js";
import type { ArgoConfig } from "../src/plugins/executor/argo/schema.js";
import { runWorkflow, type WfWorkflow } from "./helpers/argo-emulator/index.js";
import { argoConfig, graphFromYaml, graphOf, render } from "./helpers/argo-render.js";
import { fakeRunnable, type FakeScript } from "./helpers/fake-runnable.js";

/**
 * Rendered manifests run through the emulator with a scripted stand-in for the step entry points:
 * checks the wiring (order, on_failure, implicit fail, fan-in, maps and their items, retries,
 * parallelism) independently of the real `execute-single-node` / `fan` commands.
 */

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), "argo-runs-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function emulate(graph: Graph, script: FakeScript = {}, config: ArgoConfig = argoConfig({})) {
  const { workflow } = render(graph, config);
  const fake = fakeRunnable(graph, script);
  const result = await runWorkflow(workflow as unknown as WfWorkflow, { runPod: fake.runner, uid: "3f6c-uid" });
  const executed = fake.calls.map((c) => (c.verb === "execute" ? c.name : `${c.verb} ${c.name}`));
  return { result, calls: fake.calls, executed };
}

describe("rendered manifests run in the emulator (scripted step commands)", () => {
  it("contrived.yaml: every step once, in order, with the workflow uid as run id", async () => {
    const { result, executed, calls } = await emulate(await graphOf("examples/contrived.yaml"));
    expect(result.phase).toBe("Succeeded");
    expect(executed).toEqual(["Acquire Data", "Prepare Data", "Extract Features", "Model", "success"]);
    expect(new Set(calls.map((c) => c.runId))).toEqual(new Set(["3f6c-uid"]));
  });

  it("on-failure.yaml: the failed step hands over to its on_failure target and the workflow succeeds", async () => {
    const { result, executed } = await emulate(await graphOf("examples/on-failure.yaml"), { failures: { "step 1": 1 } });
    expect(executed).toEqual(["step 1", "step 3", "success"]);
    expect(result.phase).toBe("Succeeded");
  });

  it("default-fail.yaml: a failure without on_failure fails the workflow and skips the rest", async () => {
    const { result, executed } = await emulate(await graphOf("examples/default-fail.yaml"), { failures: { "step 2": 1 } });
    expect(executed).toEqual(["step 1", "step 2", "implicit-fail "]);
    expect(result.phase).toBe("Failed");
  });

  it("parallel-fail.yaml: the other branch still runs, the fan-in records the failure, the run fails", async () => {
    const { result, executed } = await emulate(await graphOf("examples/parallel-fail.yaml"), { failures: { "step 2.branch_a.step 1": 1 } });
    expect(result.phase).toBe("Failed");
    expect(executed[0]).toBe("step 1");
    expect(executed[1]).toBe("fan-out step 2");
    expect(executed).toContain("implicit-fail step 2.branch_a");
    expect(executed).toContain("step 2.branch_b.step 1");
    expect(executed.slice(-2)).toEqual(["fan-in step 2", "implicit-fail "]);
    expect(executed).not.toContain("step 3");
  });

  it("nesting.yaml (map in parallel in map): every leaf once, with typed map variables", async () => {
    const items = {
      "outer most map": [0, 1],
      ...Object.fromEntries([0, 1].flatMap((x) => ["a", "b"].map((b) => [`outer most map.${x}.nested parallel.${b}.inner most map`, [0, 1]]))),
    };
    const { result, calls } = await emulate(await graphOf("examples/concepts/nesting.yaml"), { items });
    expect(result.phase).toBe("Succeeded");
    const leaves = calls.filter((c) => c.verb === "execute" && c.name.endsWith("executable"));
    expect(leaves.map((c) => c.name).sort()).toEqual(
      [0, 1].flatMap((x) => ["a", "b"].flatMap((b) => [0, 1].map((y) => `outer most map.${x}.nested parallel.${b}.inner most map.${y}.executable`))).sort(),
    );
    expect(leaves.find((c) => c.name === "outer most map.1.nested parallel.b.inner most map.0.executable")!.mapVariable).toEqual({ xarg: 1, yarg: 0 });
    expect(
      calls
        .filter((c) => c.verb === "fan-in")
        .map((c) => c.name)
        .at(-1),
    ).toBe("outer most map");
  });

  it("map items keep their JSON types through withParam and --map-variable (runnable made them strings)", async () => {
    const items = ["a b", "1", 2, 1.5, true, { k: [1, "x"] }, 'quote " and \\ backslash'];
    const { result, calls } = await emulate(await graphOf("examples/concepts/map_shell.yaml"), { items: { "iterate and execute": items } });
    expect(result.phase).toBe("Succeeded");
    const seen = calls.filter((c) => c.name.endsWith(".execute")).map((c) => c.mapVariable["start_index"]);
    expect(seen).toEqual(items);
  });

  it("a map in a map: every cell once with both items, typed; a failed cell recovers through on_failure", async () => {
    const graph = await graphFromYaml(
      dir,
      "mm.yaml",
      `
dag:
  start_at: outer
  steps:
    outer:
      type: map
      iterate_on: rows
      iterate_as: row
      next: success
      branch:
        start_at: inner
        steps:
          inner:
            type: map
            iterate_on: cols
            iterate_as: col
            next: success
            branch:
              start_at: cell
              steps:
                cell: {type: stub, next: success, on_failure: recover}
                recover: {type: stub, next: success}
                success: {type: success}
                fail: {type: fail}
          success: {type: success}
          fail: {type: fail}
    success: {type: success}
    fail: {type: fail}
`,
    );
    const items = { outer: ["r1", "r2"], "outer.r1.inner": [1, 2], "outer.r2.inner": [3] };
    const { result, calls } = await emulate(graph, { items, failures: { "outer.r1.inner.2.cell": 1 } });
    expect(result.phase).toBe("Succeeded");
    const cells = calls.filter((c) => c.verb === "execute" && /\.(cell|recover)$/.test(c.name));
    expect(cells.map((c) => [c.name, c.mapVariable]).sort()).toEqual([
      ["outer.r1.inner.1.cell", { row: "r1", col: 1 }],
      ["outer.r1.inner.2.cell", { row: "r1", col: 2 }],
      ["outer.r1.inner.2.recover", { row: "r1", col: 2 }],
      ["outer.r2.inner.3.cell", { row: "r2", col: 3 }],
    ]);
  });

  it("an empty map still fans in and the run goes on", async () => {
    const { result, executed } = await emulate(await graphOf("examples/concepts/map_shell.yaml"), { items: { "iterate and execute": [] } });
    expect(result.phase).toBe("Succeeded");
    expect(executed).toEqual(["chunk files", "fan-out iterate and execute", "fan-in iterate and execute", "success"]);
  });

  it("a failing map item fails the map at fan-in after every item ran", async () => {
    const { result, executed } = await emulate(await graphOf("examples/concepts/map_shell.yaml"), {
      items: { "iterate and execute": [0, 10, 20] },
      failures: { "iterate and execute.10.execute": 1 },
    });
    expect(result.phase).toBe("Failed");
    expect(executed.filter((e) => e.endsWith(".execute")).sort()).toEqual([
      "iterate and execute.0.execute",
      "iterate and execute.10.execute",
      "iterate and execute.20.execute",
    ]);
    expect(executed).toContain("fan-in iterate and execute");
    expect(executed).not.toContain("success");
  });

  it("retry.yaml: max_attempts 3 retries the pod until it succeeds", async () => {
    const { result, executed } = await emulate(await graphOf("examples/retry.yaml"), { failures: { flaky: 2 } });
    expect(result.phase).toBe("Succeeded");
    expect(executed).toEqual(["flaky", "flaky", "flaky", "success"]);
    const exhausted = await emulate(await graphOf("examples/retry.yaml"), { failures: { flaky: 3 } });
    expect(exhausted.result.phase).toBe("Failed");
    expect(exhausted.executed).toEqual(["flaky", "flaky", "flaky", "implicit-fail "]);
  });

  it("nodes reachable only through on_failure run, with their successors", async () => {
    const graph = await graphFromYaml(
      dir,
      "recover.yaml",
      `
dag:
  start_at: step 1
  steps:
    step 1: {type: task, command_type: shell, command: exit 1, next: step 2, on_failure: recover}
    step 2: {type: stub, next: success}
    recover: {type: stub, next: clean up}
    clean up: {type: stub, next: success}
    success: {type: success}
    fail: {type: fail}
`,
    );
    const failed = await emulate(graph, { failures: { "step 1": 1 } });
    expect(failed.executed).toEqual(["step 1", "recover", "clean up", "success"]);
    expect(failed.result.phase).toBe("Succeeded");
    const passed = await emulate(graph);
    expect(passed.executed).toEqual(["step 1", "step 2", "success"]);
    expect(passed.result.phase).toBe("Succeeded");
  });

  it("a map step's override parallelism: 1 runs its items one at a time", async () => {
    const graph = await graphFromYaml(
      dir,
      "seq.yaml",
      `
dag:
  start_at: each
  steps:
    each:
      type: map
      iterate_on: items
      iterate_as: item
      overrides: {argo: sequential}
      next: success
      branch:
        start_at: work
        steps:
          work: {type: stub, next: success}
          success: {type: success}
          fail: {type: fail}
    success: {type: success}
    fail: {type: fail}
`,
    );
    let active = 0;
    let peak = 0;
    const onPod = (event: "start" | "end") => {
      active += event === "start" ? 1 : -1;
      peak = Math.max(peak, active);
    };
    const items = { each: [1, 2, 3, 4] };
    await emulate(graph, { items, onPod }, argoConfig({ overrides: { sequential: { parallelism: 1 } } }));
    expect(peak).toBe(1);
    peak = 0;
    await emulate(graph, { items, onPod }, argoConfig({ overrides: { sequential: {} } }));
    expect(peak).toBeGreaterThan(1);
  });
});
