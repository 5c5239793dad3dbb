import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunnableError, type Problem } from "../core/errors.js";
import { loadPipelineFile } from "./load-pipeline.js";

// `returns:` as runnable 0.50's YAML writes it (issue 18): read into the task node, every problem of
// the list reported with its position, serialised into run_config.dag as 0.50 writes it.

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const EXAMPLES_050 = path.join(REPO, "tests", "fixtures", "runnable-050");
let tmp: string;
beforeAll(async () => (tmp = await mkdtemp(path.join(os.tmpdir(), "runnable-returns-"))));
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function load(yaml: string) {
  await writeFile(path.join(tmp, "main.yaml"), yaml);
  return loadPipelineFile("main.yaml", { cwd: tmp });
}

async function problemsOf(yaml: string): Promise<Array<Pick<Problem, "message" | "line" | "col">>> {
  const error = await load(yaml).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRunnableError(error)) throw new Error(`expected PIPELINE_INVALID, got ${String(error)}`);
  return error.problems.map(({ message, line, col }) => ({ message, line, col }));
}

describe("YAML returns", () => {
  it("reads runnable 0.50.0's examples: names with kinds, json by default", async () => {
    const { graph } = await loadPipelineFile("examples/03-parameters/passing_parameters_python.yaml", { cwd: EXAMPLES_050 });
    const node = graph.nodes.get("set_parameter");
    expect(node?.kind === "task" && node.returns).toEqual([
      { name: "df", kind: "object" },
      { name: "integer", kind: "json" },
      { name: "floater", kind: "json" },
      { name: "stringer", kind: "json" },
      { name: "pydantic_param", kind: "json" },
      { name: "score", kind: "metric" },
    ]);
    const map = await loadPipelineFile("examples/07-map/custom_reducer.yaml", { cwd: EXAMPLES_050 });
    const branch = map.graph.nodes.get("map_state");
    expect(branch?.kind === "map" && branch.branch.nodes.get("execute_shell")).toMatchObject({ returns: [{ name: "processed_shell", kind: "json" }] });
    expect(map.serialised["steps"]).toMatchObject({ map_state: { reducer: "lambda *x: max(x)" } });
  });

  it("takes plain names too, and writes every entry as {name, kind} in run_config.dag", async () => {
    const loaded = await load(
      "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: export x=1\n      returns: [x, {name: y, kind: metric}]\n      next: success\n",
    );
    expect(loaded.serialised["steps"]).toMatchObject({
      a: {
        returns: [
          { name: "x", kind: "json" },
          { name: "y", kind: "metric" },
        ],
      },
    });
    const plain = await load("dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command: m.f\n      next: success\n");
    expect(plain.graph.nodes.get("a")).not.toHaveProperty("returns");
    expect((plain.serialised["steps"] as Record<string, object>)["a"]).not.toHaveProperty("returns");
  });

  it("reports every bad entry at once, each where it is", async () => {
    const yaml = [
      "dag:",
      "  start_at: a",
      "  steps:",
      "    a:",
      "      type: task",
      "      command: m.f",
      "      returns:",
      "        - name: df",
      "          kind: pickle",
      "        - {kind: json}",
      "        - 3",
      "        - name: ok",
      "          knd: json",
      "        - df",
      "        - 'a=b'",
      "      next: b",
      "    b:",
      "      type: task",
      "      command: m.g",
      "      returns: x",
      "      next: success",
    ].join("\n");
    expect(await problemsOf(yaml)).toEqual([
      { message: expect.stringMatching(/returns\[0\]\.kind must be one of json, object, metric, got "pickle"/), line: 9, col: 17 },
      { message: expect.stringMatching(/returns\[1\] has no "name"; give \{name: <parameter>, kind: json \| object \| metric\}/), line: 10, col: 11 },
      { message: expect.stringMatching(/returns\[2\] must be a parameter name or \{name, kind\}, got 3/), line: 11, col: 11 },
      { message: expect.stringMatching(/returns\[3\]: unknown key "knd" \(did you mean "kind"\?\); allowed keys: name, kind/), line: 13, col: 11 },
      { message: expect.stringMatching(/returns\[4\] names "df" again \(returns\[0\] already does\)/), line: 14, col: 11 },
      { message: expect.stringMatching(/returns\[5\]: parameter name "a=b" cannot contain "="/), line: 15, col: 11 },
      {
        message: expect.stringMatching(/step "b" \(task\): "returns" must be a list of parameter names or \{name, kind\} mappings, got "x"/),
        line: 20,
        col: 16,
      },
    ]);
  });
});
