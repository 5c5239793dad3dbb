import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Problem } from "../core/errors.js";
import { isRunnableError } from "../core/errors.js";
import { loadPipelineFile } from "./load-pipeline.js";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
let tmp: string;
let counter = 0;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "runnable-def-problems-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Failure {
  code: string;
  message: string;
  problems: Problem[];
}

/** Writes `main.yaml` (and other files) in a fresh folder, loads it and returns the error. */
async function failureOf(yaml: string, others: Record<string, string> = {}): Promise<Failure> {
  const dir = path.join(tmp, `case-${(counter += 1)}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "main.yaml"), yaml);
  for (const [name, text] of Object.entries(others)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return failureOfFile("main.yaml", dir);
}

async function failureOfFile(file: string, cwd: string): Promise<Failure> {
  try {
    await loadPipelineFile(file, { cwd });
  } catch (error) {
    if (!isRunnableError(error)) throw error;
    return { code: error.code, message: error.message, problems: error.problems };
  }
  throw new Error("expected the pipeline to be rejected");
}

/** Asserts exactly these problems (message fragment, line, col), in order. */
function expectProblems(failure: Failure, expected: Array<[fragment: string, line: number, col: number]>, file = "main.yaml"): void {
  const seen = failure.problems.map((p) => ({ message: p.message, file: p.file, line: p.line, col: p.col }));
  expect(seen).toEqual(expected.map(([fragment, line, col]) => ({ message: expect.stringContaining(fragment), file, line, col })));
}

const ok = (steps: string): string => `dag:\n  start_at: a\n  steps:\n${steps}`;

describe("YAML syntax", () => {
  it("reports malformed YAML as YAML_SYNTAX with a position", async () => {
    const failure = await failureOf("dag:\n  start_at: [a\n  steps: {}\n");
    expect(failure.code).toBe("YAML_SYNTAX");
    expect(failure.problems[0]).toMatchObject({ file: "main.yaml", line: 3, col: 3 });
    expect(failure.message).toMatch(/^Pipeline main\.yaml is not valid YAML:\nmain\.yaml:3:3: YAML syntax error: /);
  });

  it("reports tab indentation", async () => {
    const failure = await failureOf("dag:\n  start_at: a\n  steps:\n\ta:\n      type: stub\n");
    expect(failure.code).toBe("YAML_SYNTAX");
    expect(failure.problems[0]).toMatchObject({
      line: 4,
      col: 1,
      message: expect.stringContaining("Tabs are not allowed as indentation (indent with spaces)"),
    });
  });

  it("reports two steps with the same name at the second one", async () => {
    const failure = await failureOf(ok("    a:\n      type: stub\n      next: success\n    a:\n      type: stub\n      next: success\n"));
    expect(failure.code).toBe("PIPELINE_INVALID");
    expectProblems(failure, [['duplicate step name "a" in dag.steps (first defined at line 4); step names must be unique', 7, 5]]);
  });

  it("reports a missing file as FILE_NOT_FOUND with its path", async () => {
    const failure = await failureOfFile("nope.yaml", tmp);
    expect(failure.code).toBe("FILE_NOT_FOUND");
    expect(failure.message).toBe(`pipeline file ${path.join(tmp, "nope.yaml")} not found`);
  });
});

describe("document and graph shape", () => {
  it("requires a top-level dag key", async () => {
    const failure = await failureOf("pipeline:\n  start_at: a\n");
    expectProblems(failure, [['no top-level "dag" key', 1, 1]]);
    expect(failure.message).toBe(
      'Pipeline main.yaml has 1 problem:\nmain.yaml:1:1: no top-level "dag" key; a pipeline file holds its graph under "dag:" (with start_at and steps)',
    );
  });

  it("requires steps to be a mapping", async () => {
    const failure = await failureOf("dag:\n  start_at: a\n  steps:\n    - a\n");
    expectProblems(failure, [
      ['start_at "a" is not a step of the pipeline (steps: "success", "fail")', 2, 13],
      ['the pipeline: "steps" must be a mapping of step name to step, got a list', 4, 5],
    ]);
  });

  it("rejects unknown graph keys and a missing start_at", async () => {
    const failure = await failureOf("dag:\n  startat: a\n  steps:\n    a:\n      type: stub\n      next: success\n");
    expectProblems(failure, [
      ['the pipeline: missing required key "start_at" (the name of the first step)', 1, 1],
      ['the pipeline: unknown key "startat" (did you mean "start_at"?); allowed keys: start_at, steps, description, name', 2, 3],
    ]);
  });

  it("rejects start_at naming a missing step, with a suggestion", async () => {
    const failure = await failureOf("dag:\n  start_at: frist\n  steps:\n    first:\n      type: stub\n      next: success\n");
    expectProblems(failure, [['start_at "frist" is not a step of the pipeline (did you mean "first"?)', 2, 13]]);
  });

  it("rejects start_at naming a terminal step", async () => {
    const failure = await failureOf("dag:\n  start_at: done\n  steps:\n    done:\n      type: success\n");
    expectProblems(failure, [['start_at "done" is a success step; start_at must name a step that does some work', 2, 13]]);
  });

  it("rejects a step that is not a mapping", async () => {
    const failure = await failureOf(ok("    a: stub\n"));
    expectProblems(failure, [['step "a" must be a mapping with at least a "type" key, got "stub"', 4, 8]]);
  });
});

describe("step keys", () => {
  it("rejects a missing type", async () => {
    const failure = await failureOf(ok("    a:\n      next: success\n"));
    expectProblems(failure, [['step "a" has no "type"; add one of: task, stub, success, fail, parallel, map, dag', 4, 5]]);
  });

  it("rejects an unknown type, listing the known ones", async () => {
    const failure = await failureOf(ok("    a:\n      type: tsk\n      next: success\n"));
    expectProblems(failure, [['step "a": unknown type "tsk" (did you mean "task"?); known types: task, stub, success, fail, parallel, map, dag', 5, 13]]);
  });

  it("rejects an unknown task key and reports the missing command", async () => {
    const failure = await failureOf(ok("    a:\n      type: task\n      comand: m.f\n      next: success\n"));
    expectProblems(failure, [
      ['step "a" (task): missing required key "command" (a non-empty string)', 4, 5],
      [
        'step "a" (task): unknown key "comand" (did you mean "command"?); allowed keys: type, next, on_failure, overrides, catalog, max_attempts, command,',
        6,
        7,
      ],
    ]);
  });

  it("rejects any key but type on a terminal step", async () => {
    const failure = await failureOf(ok("    a:\n      type: stub\n      next: success\n    success:\n      type: success\n      next: a\n"));
    expectProblems(failure, [['step "success" (success): unknown key "next"; success and fail steps accept only "type"', 9, 7]]);
  });

  it("rejects a non-terminal step without next", async () => {
    const failure = await failureOf(ok("    a:\n      type: task\n      command: m.f\n"));
    expectProblems(failure, [['step "a" (task) has no "next": every step except success and fail must name the step that runs after it', 4, 5]]);
  });

  it("rejects next of the wrong type at the value", async () => {
    const failure = await failureOf(ok("    a:\n      type: stub\n      next: 3\n"));
    expectProblems(failure, [['step "a" (stub): "next" must be the name of the step to run next, got 3', 6, 13]]);
  });

  it("rejects max_attempts 0 and a string max_attempts", async () => {
    const failure = await failureOf(
      ok(
        "    a:\n      type: stub\n      next: b\n      max_attempts: 0\n    b:\n      type: task\n      command: m.f\n      max_attempts: x\n      next: success\n",
      ),
    );
    expectProblems(failure, [
      ['step "a" (stub): "max_attempts" must be an integer >= 1, got 0', 7, 21],
      ['step "b" (task): "max_attempts" must be an integer >= 1, got "x"', 11, 21],
    ]);
  });

  it("rejects an empty command and a command that is not a string", async () => {
    const failure = await failureOf(
      ok('    a:\n      type: task\n      command: ""\n      next: b\n    b:\n      type: task\n      command: [echo]\n      next: success\n'),
    );
    expectProblems(failure, [
      ['step "a" (task): "command" must be a non-empty string, got ""', 6, 16],
      ['step "b" (task): "command" must be a non-empty string, got a list', 10, 16],
    ]);
  });

  it("rejects notebook keys on a shell task", async () => {
    const failure = await failureOf(
      ok("    a:\n      type: task\n      command_type: shell\n      command: echo hi\n      output_cell_tag: x\n      next: success\n"),
    );
    expectProblems(failure, [
      ['step "a" (task): "output_cell_tag" is only allowed when command_type is notebook (this task\'s command_type is "shell")', 8, 7],
    ]);
  });

  it("rejects bad catalog and overrides values", async () => {
    const failure = await failureOf(
      ok(
        "    a:\n      type: task\n      command: m.f\n      next: success\n      overrides:\n        local: 1\n      catalog:\n        get: x\n        copy: [y]\n",
      ),
    );
    expectProblems(failure, [
      ['step "a" (task): "overrides.local" must be a string, got 1', 9, 16],
      ['step "a" (task): "catalog.get" must be a list of glob patterns, got "x"', 11, 14],
      ['step "a" (task): unknown key "copy"; allowed keys: get, put', 12, 9],
    ]);
  });

  it("rejects step names containing a dot", async () => {
    const failure = await failureOf("dag:\n  start_at: a.b\n  steps:\n    a.b:\n      type: stub\n      next: success\n");
    expectProblems(failure, [['step name "a.b" cannot contain "." or "%" (rename the step)', 4, 5]]);
  });
});

describe("traversal", () => {
  it("rejects next naming a missing step, suggesting the nearest", async () => {
    const failure = await failureOf(ok("    a:\n      type: stub\n      next: step2\n    step 2:\n      type: stub\n      next: success\n"));
    expectProblems(failure, [['step "a": next names "step2", which is not a step of the pipeline (did you mean "step 2"?)', 6, 13]]);
  });

  it("rejects on_failure naming a missing step, listing the steps", async () => {
    const failure = await failureOf(ok("    a:\n      type: stub\n      next: success\n      on_failure: cleanup\n"));
    expectProblems(failure, [['step "a": on_failure names "cleanup", which is not a step of the pipeline (steps: "a", "success", "fail")', 7, 19]]);
  });

  it("rejects a step naming itself", async () => {
    const failure = await failureOf(ok("    a:\n      type: stub\n      next: success\n      on_failure: a\n"));
    expectProblems(failure, [['step "a": on_failure points to the step itself', 7, 19]]);
  });

  it("rejects cycles, naming the steps, at the edge closing the loop", async () => {
    const failure = await failureOf(
      ok("    a:\n      type: stub\n      next: b\n    b:\n      type: stub\n      next: c\n    c:\n      type: stub\n      next: a\n"),
    );
    expectProblems(failure, [["the pipeline has a cycle: a -> b -> c -> a; steps cannot loop back", 12, 13]]);
  });

  it("rejects unreachable steps", async () => {
    const failure = await failureOf(ok("    a:\n      type: stub\n      next: success\n    orphan:\n      type: stub\n      next: success\n"));
    expectProblems(failure, [['step "orphan" is never reached from start_at "a"', 7, 5]]);
  });

  it("rejects steps from which no path ends", async () => {
    const failure = await failureOf(
      ok("    a:\n      type: stub\n      next: b\n    b:\n      type: stub\n      next: c\n    c:\n      type: stub\n      next: b\n"),
    );
    expectProblems(failure, [
      ['no path from step "a" reaches a success or fail step', 4, 5],
      ["the pipeline has a cycle: b -> c -> b", 12, 13],
    ]);
  });
});

describe("terminal nodes", () => {
  it("rejects two success steps", async () => {
    const failure = await failureOf(ok("    a:\n      type: stub\n      next: ok\n    ok:\n      type: success\n    also ok:\n      type: success\n"));
    expectProblems(failure, [['the pipeline has more than one success step ("ok" and "also ok"); keep exactly one', 9, 5]]);
  });

  it("rejects a missing success step whose default name is taken", async () => {
    const failure = await failureOf(
      ok("    a:\n      type: stub\n      next: success\n    success:\n      type: stub\n      next: done\n    done:\n      type: fail\n"),
    );
    expectProblems(failure, [
      ['the pipeline has no success step, and the name "success" (used for the one added automatically) is taken by a stub step', 7, 5],
    ]);
  });
});

describe("composite steps", () => {
  it("rejects a parallel step without branches and one with empty branches", async () => {
    const failure = await failureOf(ok("    a:\n      type: parallel\n      next: b\n    b:\n      type: parallel\n      branches: {}\n      next: success\n"));
    expectProblems(failure, [
      ['step "a" (parallel): missing required key "branches" (a mapping of branch name to branch graph)', 4, 5],
      ['step "b" (parallel): "branches" is empty; a parallel step needs at least one branch', 9, 17],
    ]);
  });

  it("rejects a map step without iterate_on or branch", async () => {
    const failure = await failureOf(ok("    a:\n      type: map\n      iterate_as: x\n      next: success\n"));
    expectProblems(failure, [
      ['step "a" (map): missing required key "iterate_on" (the name of a list parameter)', 4, 5],
      ['step "a" (map): missing required key "branch" (the graph run once per item)', 4, 5],
    ]);
  });

  it("reports problems inside branches with internal names", async () => {
    const yaml = ok(
      "    a:\n      type: map\n      iterate_on: xs\n      iterate_as: x\n      next: success\n      branch:\n        start_at: inner\n        steps:\n          inner:\n            type: stub\n            next: nowhere\n",
    );
    const failure = await failureOf(yaml);
    expectProblems(failure, [
      ['step "a.map_variable_placeholder.inner": next names "nowhere", which is not a step of branch "a.map_variable_placeholder"', 14, 19],
    ]);
    expect(failure.problems[0]?.path).toBe("dag.steps.a.branch.steps.inner.next");
  });

  it("rejects branch names with a dot", async () => {
    const yaml = ok(
      "    a:\n      type: parallel\n      next: success\n      branches:\n        x.y:\n          start_at: s\n          steps:\n            s:\n              type: stub\n              next: success\n",
    );
    const failure = await failureOf(yaml);
    expectProblems(failure, [['step "a" (parallel): branch name "x.y" cannot contain "." or "%" (rename the branch)', 8, 9]]);
  });

  it("rejects a dag_definition file that does not exist", async () => {
    const failure = await failureOf(ok("    a:\n      type: dag\n      dag_definition: missing.yaml\n      next: success\n"));
    expectProblems(failure, [['step "a" (dag): dag_definition file "missing.yaml" not found', 6, 23]]);
  });

  it("rejects a dag_definition that is not a YAML file", async () => {
    const failure = await failureOf(ok("    a:\n      type: dag\n      dag_definition: inner.json\n      next: success\n"));
    expectProblems(failure, [['step "a" (dag): dag_definition must be a YAML file ending in .yaml or .yml, got "inner.json"', 6, 23]]);
  });

  it("rejects a file including itself", async () => {
    const failure = await failureOfFile("self-include.yaml", fixtures);
    expectProblems(
      failure,
      [['step "again" (dag): dag_definition "self-include.yaml" includes itself (self-include.yaml -> self-include.yaml)', 6, 23]],
      "self-include.yaml",
    );
  });

  it("rejects files including each other, at the include in the inner file", async () => {
    const failure = await failureOfFile("cycle-a.yaml", fixtures);
    const inner = path.join("sub", "cycle-b.yaml");
    expectProblems(
      failure,
      [[`step "to b.dag.back to a" (dag): dag_definition "../cycle-a.yaml" includes itself (cycle-a.yaml -> ${inner} -> cycle-a.yaml)`, 6, 23]],
      inner,
    );
  });

  it("locates problems of an included file in that file", async () => {
    const failure = await failureOf(
      ok(
        "    a:\n      type: dag\n      dag_definition: sub/broken-inner.yaml\n      next: b\n    b:\n      type: dag\n      dag_definition: sub/no-dag.yaml\n      next: c\n    c:\n      type: dag\n      dag_definition: sub/tabs.yaml\n      next: success\n",
      ),
      {
        "sub/broken-inner.yaml": 'dag:\n  start_at: inner\n  steps:\n    inner:\n      type: task\n      command: ""\n      next: success\n',
        "sub/no-dag.yaml": "steps: {}\n",
        "sub/tabs.yaml": "dag:\n\tstart_at: x\n",
      },
    );
    expect(failure.problems).toEqual([
      expect.objectContaining({
        file: path.join("sub", "broken-inner.yaml"),
        line: 6,
        col: 16,
        message: 'step "a.dag.inner" (task): "command" must be a non-empty string, got ""',
      }),
      expect.objectContaining({ file: path.join("sub", "no-dag.yaml"), line: 1, col: 1, message: expect.stringContaining('no top-level "dag" key in sub') }),
      expect.objectContaining({
        file: path.join("sub", "tabs.yaml"),
        line: 2,
        col: 1,
        message: expect.stringContaining("YAML syntax error: Tabs are not allowed"),
      }),
    ]);
  });
});

describe("reporting", () => {
  it("reports every problem at once, sorted, one per line", async () => {
    const failure = await failureOf(
      "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      next: b\n    b:\n      type: task\n      max_attempts: -1\n      command: m.f\n      next: success\n    c:\n      type: stub\n      next: success\n      extra: kept\n",
    );
    expect(failure.code).toBe("PIPELINE_INVALID");
    expect(failure.message).toBe(
      [
        "Pipeline main.yaml has 2 problems:",
        'main.yaml:9:21: step "b" (task): "max_attempts" must be an integer >= 1, got -1',
        'main.yaml:12:5: step "c" is never reached from start_at "a"; point a next or on_failure at it, or remove it',
      ].join("\n"),
    );
    expect(failure.problems.map((p) => p.path)).toEqual(["dag.steps.b.max_attempts", "dag.steps.c"]);
  });
});
