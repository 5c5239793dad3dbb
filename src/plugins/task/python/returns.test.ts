import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLauncher } from "../../../engine/process-launcher.js";
import type { ReduceRequest } from "../../../ports/task-runner.js";
import { invocation, project, pythonCan, taskNode } from "./test-support.fixture.js";

// runnable 0.50's returns on Python functions and notebooks (issue 18): values by name (one, or a
// tuple), kinds, objects pickled into the catalog and loaded for the functions naming them, an
// argparse.Namespace argument, a missing argument, and Python map reducers.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(files: Record<string, string>, config = {}) {
  const made = await project({ "pkg/__init__.py": "", ...files }, config);
  cleanups.push(made.cleanup);
  return made;
}

const MODULE = [
  "import argparse",
  "class Model:",
  "    def __init__(self, weights): self.weights = weights",
  "def train(rows: int):",
  "    return rows * 2, 0.75, Model([rows, 1.5])",
  "def use(model, doubled: int, args: argparse.Namespace):",
  "    assert isinstance(model, Model) and model.weights == [3, 1.5], model",
  "    assert vars(args) == {'score': 0.75, 'rows': 3}, vars(args)",
  "    from runnable import get_parameter",
  "    assert get_parameter('model').weights == model.weights and get_parameter('doubled') == 6",
  "    return doubled + len(model.weights)",
  "def one():",
  "    return {'a': [1, 2]}",
  "def short():",
  "    return 1, 2",
  "def needs(missing):",
  "    return missing",
  "def frame():",
  "    return object()",
].join("\n");

const RETURNS = [
  { name: "doubled", kind: "json" as const },
  { name: "score", kind: "metric" as const },
  { name: "model", kind: "object" as const },
];

describe.each([
  ["warm workers", {}],
  ["one interpreter per attempt", { warm_worker: false }],
])("python functions with returns (%s)", (_, config) => {
  it("hands back a tuple by name, pickles objects into the catalog and loads them for the functions that name them", async () => {
    const { dir, runner } = await setup({ "pkg/mod.py": MODULE }, config);
    const first = invocation(dir, taskNode("pkg.mod.train", "python", {}, RETURNS), { rows: 3 });
    const outcome = await runner.run(first.invocation);
    expect(outcome).toEqual({ parameters: {}, returns: { doubled: 6, score: 0.75, model: "model" }, metrics: [] });
    expect(await readdir(join(dir, ".objects"))).toEqual(["model.dill"]);
    const parameters = { rows: 3, doubled: 6, score: 0.75, model: "model" };
    const second = invocation(dir, taskNode("pkg.mod.use", "python", {}, [{ name: "total", kind: "json" }]), parameters, {
      parameterKinds: { model: "object", score: "metric" },
    });
    const used = await runner.run(second.invocation);
    expect(second.recorded.stderr).toBe("");
    expect(used).toEqual({ parameters: {}, returns: { total: 8 }, metrics: [] });
  });

  it("ignores what a runnable 0.50 task's function returns without returns (returns: []); a February-2024 task's must be parameters", async () => {
    const { dir, runner } = await setup({ "pkg/mod.py": `${MODULE}\ndef text():\n    return 'verified'\n` }, config);
    const ignored = await runner.run(invocation(dir, taskNode("pkg.mod.text", "python", {}, [])).invocation);
    expect(ignored).toEqual({ parameters: {}, metrics: [] });
    const dict = await runner.run(invocation(dir, taskNode("pkg.mod.one", "python", {}, [])).invocation);
    expect(dict).toEqual({ parameters: {}, metrics: [] });
    const february = await runner.run(invocation(dir, taskNode("pkg.mod.text", "python")).invocation);
    expect(february.failure).toMatch(/returned a str; a Python task must return a dict/);
  });

  it("takes one declared value as it is, and fails when the function returns another number of values", async () => {
    const { dir, runner } = await setup({ "pkg/mod.py": MODULE }, config);
    const one = await runner.run(invocation(dir, taskNode("pkg.mod.one", "python", {}, [{ name: "d", kind: "json" }])).invocation);
    expect(one.returns).toEqual({ d: { a: [1, 2] } });
    const short = await runner.run(invocation(dir, taskNode("pkg.mod.short", "python", {}, RETURNS)).invocation);
    expect(short.failure).toBe(
      "the function returned 2 values but the step declares 3 returns (doubled, score, model); return a tuple with one value per name, in order",
    );
    const frame = await runner.run(invocation(dir, taskNode("pkg.mod.frame", "python", {}, [{ name: "f", kind: "json" }])).invocation);
    expect(frame.failure).toMatch(/returned value 'f' is a object, which cannot be stored as JSON; return it with kind object \(pickled\)/);
  });

  it("fails when a required argument has no parameter, naming it", async () => {
    const { dir, runner } = await setup({ "pkg/mod.py": MODULE }, config);
    const outcome = await runner.run(invocation(dir, taskNode("pkg.mod.needs"), { other: 1 }).invocation);
    expect(outcome.failure).toBe("Parameter missing is required for pkg.mod.needs but not provided (available parameters: other)");
  });
});

describe("python map reducers", () => {
  it("evaluates a lambda and a dotted function path over the items' values", async () => {
    const { dir, runner } = await setup({ "pkg/red.py": "def total(*values):\n    return {'sum': sum(values)}\n" });
    const request = (expression: string): ReduceRequest => {
      const output = { write: () => undefined };
      const signal = new AbortController().signal;
      return {
        expression,
        values: [10, 30, 20],
        cwd: dir,
        env: { PATH: process.env["PATH"] ?? "" },
        spawn: createLauncher({ output, signal, force: signal, graceMs: 1_000, registry: { add: () => undefined, remove: () => undefined } }),
        scratchDir: async () => dir,
        signal,
      };
    };
    expect(runner.reduces?.("lambda *x: max(x)")).toBe(true);
    expect(runner.reduces?.("pkg.red.total")).toBe(true);
    expect(runner.reduces?.("max")).toBe(false);
    expect(await runner.reduce!(request("lambda *x: max(x)"))).toBe(30);
    expect(await runner.reduce!(request("pkg.red.total"))).toEqual({ sum: 60 });
    await expect(runner.reduce!(request("lambda x: x"))).rejects.toThrow(/the Python reducer "lambda x: x" failed: TypeError/);
  });
});

const CAN_RUN_NOTEBOOKS = ["python3", "/usr/bin/python3"].some((p) => (p === "python3" || existsSync(p)) && pythonCan(p, "import nbclient, ipykernel"));

describe.skipIf(!CAN_RUN_NOTEBOOKS)("notebooks with returns", () => {
  const notebook = (...sources: string[]) =>
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
      cells: sources.map((source, i) => ({ cell_type: "code", id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
    });

  it("hands back the variables its returns name (objects pickled), and fails naming a variable it lacks", async () => {
    const { dir, runner } = await setup({
      "nb.ipynb": notebook("total = x * 10", "score = 0.5", "table = {'rows': set([1, 2])}"),
      "missing.ipynb": notebook("total = 1"),
    });
    const returns = [
      { name: "total", kind: "json" as const },
      { name: "score", kind: "metric" as const },
      { name: "table", kind: "object" as const },
    ];
    const outcome = await runner.run(invocation(dir, taskNode("nb.ipynb", "notebook", {}, returns), { x: 4 }).invocation);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.returns).toEqual({ total: 40, score: 0.5, table: "table" });
    expect(await readdir(join(dir, ".objects"))).toEqual(["table.dill"]);
    const missing = await runner.run(invocation(dir, taskNode("missing.ipynb", "notebook", {}, returns), {}).invocation);
    expect(missing.failure).toBe("the notebook has no variable score, table (the step's returns name them)");
  });
});
