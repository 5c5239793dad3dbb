import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collapseMetrics } from "../../../core/metrics.js";
import { NEEDS, describeNeeding } from "../../../../tests/helpers/requirements.js";
import { notebookOutputPath } from "./notebook.js";
import { invocation, project, pythonCan, taskNode } from "./test-support.fixture.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A notebook (nbformat 4) from cells given as [source, tags]. */
function notebook(...cells: [string, string[]?][]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
    cells: cells.map(([source, tags], i) => ({ cell_type: "code", id: `c${i}`, metadata: tags ? { tags } : {}, execution_count: null, outputs: [], source })),
  });
}

const CAN_RUN = ["python3", "/usr/bin/python3"].some((p) => (p === "python3" || existsSync(p)) && pythonCan(p, "import nbclient, ipykernel"));

describe("notebookOutputPath", () => {
  it.each([
    ["examples/concepts/simple_notebook.ipynb", undefined, [], "examples/concepts/simple_notebook_out.ipynb"],
    ["./nb/x.y.ipynb", undefined, [], "nb/x.y_out.ipynb"],
    [
      "nb/x.ipynb",
      undefined,
      [
        ["i", 10],
        ["j", "a/b"],
      ],
      "nb/x_out_10_a_b.ipynb",
    ],
    ["nb/x.ipynb", "out/custom.ipynb", [["i", "v"]], "out/custom_v.ipynb"],
    ["nb/x.ipynb", "out/custom", [["i", 1]], "out/custom_1"],
  ] as const)("%s (%s, %j) -> %s", (command, explicit, mapVariable, expected) => {
    expect(notebookOutputPath(command, explicit, mapVariable)).toBe(expected);
  });
});

describe("notebook tasks: check()", () => {
  it("wants an existing .ipynb that is a notebook", async () => {
    const { dir, runner, cleanup } = await project({ "ok.ipynb": notebook(["x = 1"]), "broken.ipynb": "{", "other.ipynb": "{}" });
    cleanups.push(cleanup);
    const check = (command: string) => runner.check!(taskNode(command, "notebook"), dir).then((p) => p.join("\n"));
    expect(await check("ok.ipynb")).toBe("");
    expect(await check("ok.py")).toMatch(/Notebook task should point to a ipynb file/);
    expect(await check("missing.ipynb")).toMatch(/notebook missing.ipynb not found/);
    expect(await check("broken.ipynb")).toMatch(/not valid notebook JSON/);
    expect(await check("other.ipynb")).toMatch(/no "cells" list/);
  });
});

describeNeeding(NEEDS.notebooks, !CAN_RUN && "no python3 here can import nbclient and ipykernel")("notebook tasks on a real kernel", () => {
  it("injects parameters, reads output cells, runs the API and env protocol, catalogs the executed notebook", async () => {
    const { dir, runner, cleanup } = await project({
      "nb/demo.ipynb": notebook(
        ["spam = 'default'\neggs = None", ["parameters"]],
        ["import os, json\nfrom runnable import track_this, set_parameter, get_parameter\nprint('spam is', spam)"],
        [
          "track_this(step=1, answer=20.0)\nset_parameter(api=get_parameter('eggs')['ham'])\nos.environ['runnable_TRACK_env_metric'] = '7'\nos.environ['runnable_PRM_from_env'] = 'raw text'",
        ],
        ["print({'spam': spam.upper(), 'item': item})", ["runnable_output"]],
      ),
    });
    cleanups.push(cleanup);
    const { invocation: inv, recorded } = invocation(
      dir,
      taskNode("nb/demo.ipynb", "notebook"),
      { spam: "hi", eggs: { ham: "yes" }, item: 3 },
      { mapVariable: [["item", 3]] },
    );
    const outcome = await runner.run(inv);
    expect(outcome.failure, recorded.stderr).toBeUndefined();
    expect(outcome.parameters).toEqual({ from_env: "raw text", api: "yes", spam: "HI", item: 3 });
    expect(collapseMetrics(outcome.metrics)).toEqual({ env_metric: 7, answer: { "1": 20 } });
    expect(recorded.stdout).toContain("spam is hi\n");
    expect(recorded.catalog).toEqual(["put nb/demo_out_3.ipynb"]);
    const executed = JSON.parse(await readFile(join(dir, "nb/demo_out_3.ipynb"), "utf8"));
    const sources: string[] = executed.cells.map((c: { source: string | string[] }) => [c.source].flat().join(""));
    expect(sources[1]).toBe("# Parameters injected by runnable\nspam = 'hi'\neggs = {'ham': 'yes'}\nitem = 3");
    expect(sources).toHaveLength(5);
  });

  it("a failing cell fails the step with the cell's error; the executed notebook is still kept", async () => {
    const { dir, runner, cleanup } = await project({ "bad.ipynb": notebook(["print('before')"], ["1 / 0"], ["print('never')"]) });
    cleanups.push(cleanup);
    const { invocation: inv, recorded } = invocation(dir, taskNode("bad.ipynb", "notebook"));
    const outcome = await runner.run(inv);
    expect(outcome.failure).toBe("ZeroDivisionError: division by zero");
    expect(recorded.stdout).toContain("before");
    expect(recorded.stdout).not.toContain("never");
    expect(recorded.stderr).toContain("ZeroDivisionError");
    expect(recorded.catalog).toEqual(["put bad_out.ipynb"]);
  });

  it("a runnable_output cell that prints no dict fails the step", async () => {
    const { dir, runner, cleanup } = await project({ "o.ipynb": notebook(["print('not a dict')", ["runnable_output"]]) });
    cleanups.push(cleanup);
    const outcome = await runner.run(invocation(dir, taskNode("o.ipynb", "notebook")).invocation);
    expect(outcome.failure).toMatch(/a cell tagged runnable_output must print a dict literal, it printed: not a dict/);
  });

  it("names the packages to install when the interpreter has no nbclient, and a missing kernel", async () => {
    const { dir, runner, cleanup } = await project({ "n.ipynb": notebook(["x = 1"]) });
    cleanups.push(cleanup);
    const none = invocation(dir, taskNode("n.ipynb", "notebook"), {}, { env: { RUNNABLE_NOTEBOOK_PYTHON: "/nonexistent/python" } });
    expect((await runner.run(none.invocation)).failure).toMatch(/no usable Python for notebooks \(tried \/nonexistent\/python\).*python3-nbclient/);
    const kernel = invocation(dir, taskNode("n.ipynb", "notebook"), {}, { env: { RUNNABLE_NOTEBOOK_KERNEL: "no-such-kernel" } });
    expect((await runner.run(kernel.invocation)).failure).toMatch(/no Jupyter kernel named "no-such-kernel": install ipykernel/);
  });
});
