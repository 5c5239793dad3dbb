import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunnableError } from "../core/errors.js";
import type { ConditionalNode, LoopNode } from "../core/graph.js";
import { loadPipelineFile } from "./load-pipeline.js";
import { serialiseGraph } from "./serialise.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "runnable-def-control-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function load(yaml: string) {
  await writeFile(path.join(tmp, "main.yaml"), yaml);
  return loadPipelineFile("main.yaml", { cwd: tmp });
}

async function problems(yaml: string): Promise<string[]> {
  try {
    await load(yaml);
  } catch (error) {
    if (!isRunnableError(error)) throw error;
    return error.problems.map((p) => `${p.line}:${p.col} ${p.message}`);
  }
  throw new Error("expected the pipeline to be rejected");
}

const branch = (indent: string) => `\n${indent}start_at: a\n${indent}steps:\n${indent}  a:\n${indent}    type: stub\n${indent}    next: success`;

const GOOD = `dag:
  start_at: pick
  steps:
    pick:
      type: conditional
      parameter: toss
      next: again
      branches:
        heads:${branch("          ")}
        tails:${branch("          ")}
      default:${branch("        ")}
    again:
      type: loop
      max_iterations: 4
      break_on: done
      index_as: counter
      next: success
      branch:${branch("        ")}
`;

describe("conditional and loop steps (runnable 0.50's YAML)", () => {
  it("builds both with their branches' internal names (<step>.<key>, <step>.default, <loop>.loop_variable_placeholder)", async () => {
    const { graph } = await load(GOOD);
    const pick = graph.nodes.get("pick") as ConditionalNode;
    expect(pick).toMatchObject({ kind: "conditional", parameter: "toss", next: "again" });
    expect(Object.keys(pick.branches)).toEqual(["heads", "tails"]);
    expect(pick.branches.heads!.nodes.get("a")!.internalName).toBe("pick.heads.a");
    expect(pick.default!.internalBranchName).toBe("pick.default");
    const again = graph.nodes.get("again") as LoopNode;
    expect(again).toMatchObject({ kind: "loop", maxIterations: 4, breakOn: "done", indexAs: "counter" });
    expect(again.branch.nodes.get("a")!.internalName).toBe("again.loop_variable_placeholder.a");
    const dag = serialiseGraph(graph) as { steps: Record<string, Record<string, unknown>> };
    expect(dag.steps.pick).toMatchObject({ type: "conditional", parameter: "toss", is_composite: true });
    expect(dag.steps.again).toMatchObject({ type: "loop", max_iterations: 4, break_on: "done", index_as: "counter", is_composite: true });
  });

  it("reads back its own serialised form (run_config.dag)", async () => {
    const { graph } = await load(GOOD);
    const written = JSON.stringify({ dag: serialiseGraph(graph) });
    const again = await load(written);
    expect(serialiseGraph(again.graph)).toEqual(serialiseGraph(graph));
  });

  it("reports every problem at once with line and column: no bound, a parameter 0.50 refuses, bad keys, missing branch", async () => {
    const found = await problems(`dag:
  start_at: pick
  steps:
    pick:
      type: conditional
      parameter: toss_value
      next: again
      branches:
        heads:${branch("          ")}
        "a.b":${branch("          ")}
    again:
      type: loop
      break_on: done
      next: more
      branch:${branch("        ")}
    more:
      type: loop
      max_iterations: 0
      break_on: done
      index_as: 1x
      next: success
`);
    expect(found).toEqual([
      expect.stringMatching(/^6:18 .*"parameter".*letters and digits only/),
      expect.stringMatching(/^15:9 .*branch name "a.b" cannot contain "\." or "%"/),
      expect.stringMatching(/^21:5 .*missing required key "max_iterations".*the bound is mandatory/),
      expect.stringMatching(/^31:5 .*missing required key "branch"/),
      expect.stringMatching(/^33:23 .*"max_iterations" must be an integer >= 1.*got 0/),
      expect.stringMatching(/^35:17 .*"index_as" must be .*got "1x"/),
    ]);
  });

  it("refuses a branch keyed default beside a default: branch, and an empty branches mapping", async () => {
    const found = await problems(`dag:
  start_at: pick
  steps:
    pick:
      type: conditional
      parameter: toss
      next: other
      branches:
        default:${branch("          ")}
      default:${branch("        ")}
    other:
      type: conditional
      parameter: toss
      next: success
      branches: {}
`);
    expect(found).toEqual([
      expect.stringMatching(/^9:9 .*a branch keyed "default" and a "default:" branch/),
      expect.stringMatching(/^25:17 .*"branches" is empty/),
    ]);
  });
});
