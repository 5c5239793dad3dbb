import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunnableError } from "../core/errors.js";
import type { DagNode, MapNode, ParallelNode, StubNode, TaskNode } from "../core/graph.js";
import { analyseDag, buildGraph } from "./build-graph.js";
import { findBranch, findNode } from "./find-node.js";
import { loadPipelineFile } from "./load-pipeline.js";
import { serialiseGraph } from "./serialise.js";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "runnable-def-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const load = (name: string) => loadPipelineFile(name, { cwd: fixtures });

describe("loadPipelineFile on good pipelines", () => {
  it("builds every node kind with its fields", async () => {
    const { graph, file } = await load("all-kinds.yaml");
    expect(file).toBe(path.join(fixtures, "all-kinds.yaml"));
    expect(graph.startAt).toBe("prepare");
    expect(graph.description).toBe("All node kinds");
    expect(graph.name).toBe("");
    expect([...graph.nodes.keys()]).toEqual(["prepare", "shell step", "notebook", "fan out", "per item", "nested", "cleanup", "finish", "success", "fail"]);
    const prepare = graph.nodes.get("prepare") as TaskNode;
    expect(prepare).toMatchObject({
      kind: "task",
      internalName: "prepare",
      internalBranchName: "",
      next: "shell step",
      onFailure: "cleanup",
      overrides: { "local-container": "gpu" },
      catalog: { get: ["raw/*.csv"], put: ["data/*.parquet"] },
      maxAttempts: 3,
      secrets: ["API_KEY"],
      task: { command_type: "python", command: "examples.functions.prepare" },
      source: { file: "all-kinds.yaml", line: 6, col: 5 },
    });
    const notebook = graph.nodes.get("notebook") as TaskNode;
    expect(notebook.task).toEqual({
      command_type: "notebook",
      command: "examples/notebook.ipynb",
      notebook_output_path: "out/notebook-out.ipynb",
      output_cell_tag: "outputs",
      optional_ploomber_args: { log_output: true },
    });
    expect((graph.nodes.get("shell step") as TaskNode).catalog).toBeNull();
    const map = graph.nodes.get("per item") as MapNode;
    expect(map).toMatchObject({ kind: "map", iterateOn: "chunks", iterateAs: "chunk", reducer: "lambda *x: max(x)" });
    expect(map.branch.internalBranchName).toBe("per item.map_variable_placeholder");
    expect(map.branch.nodes.get("work")?.internalName).toBe("per item.map_variable_placeholder.work");
    const finish = graph.nodes.get("finish") as StubNode;
    expect(finish.catalog).toEqual({ get: [], put: ["report.md"] });
  });

  it("keeps stub extra keys and names parallel branches <node>.<key>", async () => {
    const { graph } = await load("all-kinds.yaml");
    const parallel = graph.nodes.get("fan out") as ParallelNode;
    expect(Object.keys(parallel.branches)).toEqual(["left", "right"]);
    expect(parallel.branches.right?.internalBranchName).toBe("fan out.right");
    const r1 = parallel.branches.right?.nodes.get("r1") as StubNode;
    expect(r1.extra).toEqual({ command_type: "shell", command: "echo later" });
    expect(r1.internalName).toBe("fan out.right.r1");
    // custom terminal names are kept and no extra success/fail is added
    expect([...(parallel.branches.right?.nodes.keys() ?? [])]).toEqual(["r1", "done", "failed"]);
  });

  it("reads dag_definition files relative to the including file, with their own positions", async () => {
    const { graph } = await load("all-kinds.yaml");
    const nested = graph.nodes.get("nested") as DagNode;
    expect(nested.dagDefinition).toBe("sub/inner.yaml");
    expect(nested.branch.internalBranchName).toBe("nested.dag");
    const deeper = nested.branch.nodes.get("deeper") as DagNode;
    expect(deeper.internalName).toBe("nested.dag.deeper");
    expect(deeper.source).toEqual({ file: path.join("sub", "inner.yaml"), line: 7, col: 5 });
    const deepest = deeper.branch.nodes.get("deepest") as TaskNode;
    expect(deepest.internalName).toBe("nested.dag.deeper.dag.deepest");
    expect(deepest.source).toEqual({ file: path.join("sub", "deeper.yml"), line: 5, col: 5 });
  });

  it("names nodes of map -> parallel -> map with placeholders (§2.8)", async () => {
    const { graph } = await load("nested.yaml");
    const names = [
      "outer most map.map_variable_placeholder.nested parallel.a.inner most map.map_variable_placeholder.executable",
      "outer most map.map_variable_placeholder.nested parallel.b.executable",
      "outer most map.map_variable_placeholder.nested parallel.a.inner most map.map_variable_placeholder.success",
    ];
    for (const name of names) expect(findNode(graph, name)?.internalName).toBe(name);
    const executable = findNode(graph, "outer most map.0.nested parallel.a.inner most map.1.executable");
    expect(executable?.internalBranchName).toBe("outer most map.map_variable_placeholder.nested parallel.a.inner most map.map_variable_placeholder");
    expect(findNode(graph, "outer most map.0.nested parallel.c.executable")).toBeUndefined();
    expect(findNode(graph, "nope")).toBeUndefined();
    expect(findBranch(graph, "outer most map.3.nested parallel.b")?.startAt).toBe("executable");
    expect(findBranch(graph, "")).toBe(graph);
  });

  it("finds dag branches only under the name dag", async () => {
    const { graph } = await load("all-kinds.yaml");
    expect(findNode(graph, "nested.dag.inner")?.kind).toBe("stub");
    expect(findNode(graph, "nested.other.inner")).toBeUndefined();
    expect(findNode(graph, "prepare.x.y")).toBeUndefined();
  });

  it("adds success and fail when a graph has none", async () => {
    const { graph } = await load("nested.yaml");
    expect([...graph.nodes.keys()]).toEqual(["outer most map", "success", "fail"]);
    expect(graph.nodes.get("success")).toEqual({ kind: "success", name: "success", internalName: "success", internalBranchName: "" });
    const branch = findBranch(graph, "outer most map.map_variable_placeholder");
    expect(branch?.nodes.get("fail")?.internalName).toBe("outer most map.map_variable_placeholder.fail");
  });

  it("serialises to runnable's run_config.dag form (plain JSON)", async () => {
    const { serialised } = await load("all-kinds.yaml");
    expect(JSON.parse(JSON.stringify(serialised))).toEqual(serialised);
    const steps = serialised.steps as Record<string, Record<string, unknown>>;
    expect(serialised).toMatchObject({ start_at: "prepare", name: "", description: "All node kinds" });
    expect(steps["shell step"]).toEqual({
      type: "task",
      name: "shell step",
      next: "notebook",
      on_failure: "",
      overrides: {},
      catalog: null,
      max_attempts: 1,
      command_type: "shell",
      command: "echo hello",
      node_name: "shell step",
    });
    expect(steps.prepare).toMatchObject({ secrets: ["API_KEY"], on_failure: "cleanup", catalog: { get: ["raw/*.csv"], put: ["data/*.parquet"] } });
    expect(steps.success).toEqual({ type: "success", name: "success" });
    expect(steps["per item"]).toMatchObject({ iterate_on: "chunks", iterate_as: "chunk", reducer: "lambda *x: max(x)", is_composite: true });
    const fanOut = steps["fan out"] as { branches: Record<string, Record<string, unknown>> };
    expect(Object.keys(fanOut.branches)).toEqual(["left", "right"]);
    expect((fanOut.branches.right!.steps as Record<string, unknown>).r1).toEqual({
      type: "stub",
      name: "r1",
      next: "done",
      on_failure: "",
      overrides: {},
      catalog: null,
      max_attempts: 1,
      command_type: "shell",
      command: "echo later",
    });
    expect(steps.nested).toMatchObject({ type: "dag", dag_definition: "sub/inner.yaml", internal_branch_name: "nested.dag", is_composite: true });
    expect((steps.nested!.branch as Record<string, unknown>).start_at).toBe("inner");
  });

  it("round-trips the serialised graph of a YAML pipeline without dag steps", async () => {
    const { graph, serialised } = await load("nested.yaml");
    const rebuilt = buildGraph(JSON.parse(JSON.stringify(dropSerialisedOnlyKeys(serialised))), { baseDir: fixtures });
    expect(serialiseGraph(rebuilt)).toEqual(serialised);
    expect(rebuilt.nodes.size).toBe(graph.nodes.size);
  });

  it("accepts merge keys and anchors", async () => {
    const file = path.join(tmp, "anchors.yaml");
    await writeFile(
      file,
      "base: &common\n  type: stub\n  next: success\ndag:\n  start_at: a\n  steps:\n    a:\n      <<: *common\n      on_failure: b\n    b: *common\n",
    );
    const { graph } = await loadPipelineFile(file);
    expect(graph.nodes.get("a")).toMatchObject({ kind: "stub", next: "success", onFailure: "b" });
    expect(graph.nodes.get("b")).toMatchObject({ kind: "stub", next: "success" });
  });

  it("refuses other top-level keys unless they hold anchored blocks, and keeps the whole document in raw", async () => {
    const loose = path.join(tmp, "loose.yaml");
    await writeFile(loose, "ignored: true\ndag:\n  start_at: a\n  steps:\n    a: {type: stub, next: success}\n");
    await expect(loadPipelineFile(loose)).rejects.toThrow(/loose\.yaml:1:1: unknown top-level key "ignored"/);
    const file = path.join(tmp, "anchored.yaml");
    await writeFile(file, "shared: &s {type: stub, next: success}\ndag:\n  start_at: a\n  steps:\n    a: *s\n");
    const { raw, graph } = await loadPipelineFile(file);
    expect((raw as Record<string, unknown>).shared).toEqual({ type: "stub", next: "success" });
    expect(graph.startAt).toBe("a");
  });
});

describe("buildGraph for SDK objects", () => {
  it("builds from a plain object without positions and never changes it", () => {
    const dag = deepFreeze({
      start_at: "a",
      steps: {
        a: { type: "task", command: "m.f", next: "b", catalog: { get: ["x"] } },
        b: { type: "stub", next: "success", anything: { nested: [1] } },
      },
    });
    const before = JSON.stringify(dag);
    const graph = buildGraph(dag, { baseDir: tmp });
    expect(JSON.stringify(dag)).toBe(before);
    expect(graph.nodes.get("a")).toMatchObject({ kind: "task", catalog: { get: ["x"], put: [] } });
    expect(graph.nodes.get("a")).not.toHaveProperty("source");
    const stub = graph.nodes.get("b") as StubNode;
    stub.extra.anything = "changed";
    expect(dag.steps.b.anything).toEqual({ nested: [1] });
  });

  it("leaves a YAML document's raw data untouched", async () => {
    const loaded = await load("all-kinds.yaml");
    const raw = loaded.raw as { dag: { steps: Record<string, Record<string, unknown>> } };
    expect(raw.dag.steps.prepare?.type).toBe("task");
    expect(raw.dag.steps.prepare?.next).toBe("shell step");
    expect(raw.dag.steps.success).toEqual({ type: "success" });
  });

  it("reports problems with paths only (no file) and throws PIPELINE_INVALID", () => {
    const { graph, problems } = analyseDag({ start_at: "a", steps: { a: { type: "stub" } } }, { baseDir: tmp });
    expect(graph).toBeUndefined();
    expect(problems).toEqual([{ message: expect.stringContaining('step "a" (stub) has no "next"'), path: "dag.steps.a" }]);
    try {
      buildGraph({ start_at: "a", steps: { a: { type: "stub" } } }, { baseDir: tmp });
      expect.unreachable();
    } catch (error) {
      expect(isRunnableError(error, "PIPELINE_INVALID")).toBe(true);
      expect((error as Error).message).toMatch(/^The pipeline definition has 1 problem:\nstep "a" \(stub\) has no "next"/);
    }
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The keys the serialised form adds (runnable keeps them; the YAML schema does not take them). */
function dropSerialisedOnlyKeys(graph: Record<string, unknown>): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(graph.steps as Record<string, Record<string, unknown>>)) {
    const { name: _n, node_name: _nn, is_composite: _c, internal_branch_name: _i, ...rest } = node;
    if (rest.branch) rest.branch = dropSerialisedOnlyKeys(rest.branch as Record<string, unknown>);
    if (rest.branches) {
      rest.branches = Object.fromEntries(
        Object.entries(rest.branches as Record<string, Record<string, unknown>>).map(([k, b]) => [k, dropSerialisedOnlyKeys(b)]),
      );
    }
    steps[name] = rest;
  }
  const { start_at, description, steps: _s } = graph;
  return { start_at, description, steps };
}
