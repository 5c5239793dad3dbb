// Issue 11, items 7 and 8: the TypeScript SDK catches mistakes (strict options, a commandType union,
// python() and notebook(), dag() with an SDK pipeline, live progress) and tasks say what they read.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { dag, map, notebook, pipeline, python, setParameter, shell, stub, task, typescript } from "runnable-ts";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-sdk-hardening-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));
const quiet = () => ({ cwd: dir, warn: () => undefined, throwOnFailure: false });

describe("item 7: the SDK catches mistakes", () => {
  it("an unknown option is an error naming the nearest one, for every helper and for execute()", () => {
    const bad = (make: () => unknown) => expect(make).toThrow(expect.objectContaining({ code: "PIPELINE_INVALID" }));
    bad(() => shell({ name: "a", command: "true", maxAttempt: 3 } as never));
    expect(() => shell({ name: "a", command: "true", maxAttempt: 3 } as never)).toThrow(/unknown option "maxAttempt" \(did you mean "maxAttempts"\?\)/);
    bad(() => typescript({ name: "a", function: () => undefined, retries: 2 } as never));
    bad(() => stub({ name: "a", nxt: "b" } as never));
    bad(() => map({ name: "m", iterateOn: "xs", iterateAs: "x", branch: pipeline({ steps: [stub({ name: "s" })] }), itrateOn: "y" } as never));
    bad(() => pipeline({ steps: [stub({ name: "a" })], descripton: "x" } as never));
    bad(() => python({ name: "p", function: "a.b.c", command: "x" } as never));
    const valid = pipeline({ steps: [stub({ name: "a" })] });
    return expect(valid.execute({ ...quiet(), paramsFile: "x.yaml" } as never)).rejects.toThrow(/pipeline\.execute\(\): unknown option "paramsFile"/);
  });

  it("python() and notebook() write runnable's YAML", () => {
    const dagOf = pipeline({
      steps: [
        python({ name: "train", function: "examples.functions.train", maxAttempts: 2 }),
        notebook({ name: "report", notebook: "examples/report.ipynb", outputPath: "out/report.ipynb", outputCellTag: "out" }),
        task({ name: "js", command: "t.js#run", commandType: "javascript" }),
      ],
    }).toDag();
    expect(dagOf.steps).toMatchObject({
      train: { type: "task", command_type: "python", command: "examples.functions.train", max_attempts: 2, next: "report" },
      report: {
        type: "task",
        command_type: "notebook",
        command: "examples/report.ipynb",
        notebook_output_path: "out/report.ipynb",
        output_cell_tag: "out",
        next: "js",
      },
      js: { type: "task", command_type: "javascript", command: "t.js#run", next: "success" },
    });
  });

  it("dag() runs a pipeline built in code as its branch <step>.dag", async () => {
    const inner = pipeline({ steps: [typescript({ name: "double", function: ({ x }: { x: number }) => ({ x: x * 2 }) })] });
    const log = await pipeline({
      steps: [dag({ name: "nested", pipeline: inner }), typescript({ name: "check", function: ({ x }: { x: number }) => ({ seen: x }) })],
    }).execute({
      ...quiet(),
      env: { RUNNABLE_PRM_x: "21" },
    });
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.nested!.step_type).toBe("dag");
    expect(Object.keys(log.steps.nested!.branches)).toEqual(["nested.dag"]);
    expect(log.parameters).toMatchObject({ x: 42, seen: 42 });
  });

  it("execute({ progress }) shows the CLI's live progress", async () => {
    const lines: string[] = [];
    await pipeline({ steps: [shell({ name: "hello", command: "echo hi there" })] }).execute({
      ...quiet(),
      progress: { write: (text) => void lines.push(text) },
    });
    const text = lines.join("");
    expect(text).toMatch(/^run \S+\n/);
    expect(text).toContain("  start   hello (task)\n");
    expect(text).toContain("hi there");
    expect(text).toMatch(/end {5}SUCCESS hello/);
    expect(text).toMatch(/run \S+ SUCCESS\n$/);
  });
});

describe("item 8: typed parameters", () => {
  it("a missing parameter the signature destructures fails the step before it runs, naming it and those available", async () => {
    let ran = false;
    const train = ({ lr, epochs = 3 }: { lr: number; epochs?: number }) => {
      ran = true;
      return { score: lr * epochs };
    };
    const log = await pipeline({ steps: [typescript({ name: "train", function: train })] }).execute({ ...quiet(), env: { RUNNABLE_PRM_lrate: "0.1" } });
    expect(ran).toBe(false);
    expect(log.steps.train!.attempts[0]!.message).toBe(
      'the task reads parameter "lr", which is not set (available parameters: lrate); give it a default in the signature if it is optional',
    );
    const ok = await pipeline({ steps: [typescript({ name: "train", function: train })] }).execute({ ...quiet(), env: { RUNNABLE_PRM_lr: "0.5" } });
    expect(ok.parameters).toMatchObject({ score: 1.5 });
  });

  it("a zod schema checks names and types before the function runs", async () => {
    const schema = z.object({ lr: z.number(), layers: z.array(z.number()) });
    const step = typescript({ name: "fit", function: () => ({ done: true }), parameters: schema });
    const misspelt = await pipeline({ steps: [step] }).execute({ ...quiet(), env: { RUNNABLE_PRM_lr: "0.1", RUNNABLE_PRM_layer: "[8]" } });
    expect(misspelt.steps.fit!.attempts[0]!.message).toContain('parameter "layers" is not set (did you mean "layer"?)');
    const mistyped = await pipeline({ steps: [step] }).execute({ ...quiet(), env: { RUNNABLE_PRM_lr: '"fast"', RUNNABLE_PRM_layers: "[8]" } });
    expect(mistyped.steps.fit!.attempts[0]!.message).toMatch(/parameter "lr": .*number/i);
    const fine = await pipeline({ steps: [step] }).execute({ ...quiet(), env: { RUNNABLE_PRM_lr: "0.1", RUNNABLE_PRM_layers: "[8, 4]" } });
    expect(fine.status).toBe("SUCCESS");
  });

  it("NaN and Infinity are never stored silently (returned, set, or tracked)", async () => {
    const returned = await pipeline({ steps: [typescript({ name: "r", function: () => ({ loss: Number.NaN }) })] }).execute(quiet());
    expect(returned.steps.r!.attempts[0]!.message).toContain('parameter "loss" holds NaN');
    expect(returned.parameters).not.toHaveProperty("loss");
    const set = await pipeline({ steps: [typescript({ name: "s", function: () => setParameter({ ratio: Number.POSITIVE_INFINITY }) })] }).execute(quiet());
    expect(set.steps.s!.attempts[0]!.message).toContain('setParameter(): parameter "ratio" holds Infinity');
    const shellOut = await pipeline({ steps: [shell({ name: "sh", command: "export RUNNABLE_PRM_big=1e400" })] }).execute(quiet());
    expect(shellOut.steps.sh!.attempts[0]!.message).toContain("RUNNABLE_PRM_big cannot be used as a parameter: the number 1e400 is too large");
  });
});
