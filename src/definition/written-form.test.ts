import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadPipelineFile } from "./load-pipeline.js";
import { serialiseGraph } from "./serialise.js";

// Fidelity defect (runnable-0.50.md "Known fidelity defects"): runnable writes pipelines in its
// serialised form (name/node_name/is_composite/internal_branch_name/branch beside each step's keys) and
// reads that form back with `runnable execute -f`; so must we.

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "runnable-written-"));
  await cp(fixtures, tmp, { recursive: true });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const write = async (name: string, dag: unknown): Promise<string> => {
  await writeFile(path.join(tmp, name), stringify({ dag }));
  return name;
};
const load = (name: string) => loadPipelineFile(name, { cwd: tmp });
const problemsOf = (name: string) =>
  load(name).then(
    () => [],
    (error: { problems?: { message: string; line?: number }[] }) => error.problems ?? [],
  );

describe("runnable's own written form of a pipeline", () => {
  it("reads back the serialised form of every node kind as the same graph", async () => {
    const original = await load("all-kinds.yaml");
    const serialised = serialiseGraph(original.graph);
    expect(JSON.stringify(serialised)).toContain('"node_name"');
    const written = await load(await write("written.yaml", serialised));
    expect(serialiseGraph(written.graph)).toEqual(serialised);
  });

  it("reads a written dag step whose graph was inline (dag_definition empty) from its branch", async () => {
    const inline = await write("inline.yaml", {
      start_at: "outer",
      steps: {
        outer: {
          type: "dag",
          name: "outer",
          next: "success",
          dag_definition: "",
          internal_branch_name: "outer.dag",
          is_composite: true,
          branch: {
            start_at: "s",
            name: "",
            description: null,
            steps: { s: { type: "stub", name: "s", next: "success" }, success: { type: "success" }, fail: { type: "fail" } },
          },
        },
        success: { type: "success", name: "success" },
        fail: { type: "fail", name: "fail" },
      },
    });
    const { graph } = await load(inline);
    const outer = graph.nodes.get("outer");
    expect(outer).toMatchObject({ kind: "dag", dagDefinition: "" });
    expect(outer?.kind === "dag" && [...outer.branch.nodes.keys()]).toEqual(["s", "success", "fail"]);
  });

  it("refuses a written name that is not the step's own, at its line", async () => {
    const file = await write("renamed.yaml", {
      start_at: "a",
      steps: {
        a: { type: "task", name: "b", node_name: "a", command_type: "shell", command: "true", next: "success" },
        success: { type: "success", name: "success" },
        fail: { type: "fail", name: "fail" },
      },
    });
    expect(await problemsOf(file)).toEqual([
      expect.objectContaining({
        line: 6,
        message: expect.stringContaining('"name" is "b" but the step is named "a": runnable writes the step\'s own name there'),
      }),
    ]);
  });

  it("still refuses keys runnable does not write", async () => {
    const file = await write("unknown.yaml", {
      start_at: "a",
      steps: { a: { type: "stub", name: "a", next: "success" }, success: { type: "success", nmae: "success" }, fail: { type: "fail" } },
    });
    expect((await problemsOf(file)).map((p) => p.message)).toEqual([expect.stringContaining('unknown key "nmae"')]);
  });
});
