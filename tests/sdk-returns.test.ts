// `returns` in the TypeScript SDK (issue 18): values handed back by name with their kinds, metrics,
// objects passed between TypeScript tasks through the catalog (v8-serialised), and the typing of a
// function's return value against its declared returns.
import { readdir } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { getParameter, map, metric, object, pipeline, shell, typescript, type MetricValue, type ReturnedValues } from "../src/sdk/index.js";

let cwd: string;
beforeAll(async () => (cwd = await mkdtemp(join(tmpdir(), "runnable-sdk-returns-"))));
afterAll(() => rm(cwd, { recursive: true, force: true }));
const quiet = () => ({ cwd, env: {}, warn: () => {} });

describe("returns of TypeScript tasks", () => {
  it("hands back one value, a tuple with a metric, and an object another task receives as it was", async () => {
    const log = await pipeline({
      steps: [
        typescript({ name: "one", function: () => 42, returns: ["answer"] }),
        typescript({
          name: "train",
          function: ({ answer }: { answer: number }) => [answer * 2, 0.875, new Map([["w", new Float64Array([1.5, 2.5])]])],
          returns: ["doubled", metric("score"), object("model")],
        }),
        typescript({
          name: "use",
          function: ({ model, doubled }: { model: Map<string, Float64Array>; doubled: number }) => {
            expect(model).toBeInstanceOf(Map);
            expect([...model.get("w")!]).toEqual([1.5, 2.5]);
            expect(getParameter("model")).toBe(model);
            return { used: doubled + model.size };
          },
        }),
      ],
    }).execute({ ...quiet(), runId: "ts-returns" });
    expect(log.status).toBe("SUCCESS");
    expect(log.parameters).toEqual({ answer: 42, doubled: 84, score: 0.875, model: "model", used: 85 });
    expect(log.parameter_kinds).toEqual({ score: "metric", model: "object" });
    const train = log.steps.train!;
    expect(train.user_defined_metrics).toEqual({ score: 0.875 });
    expect(train.attempts[0]!.output_parameters).toEqual({ doubled: 84, score: 0.875, model: "model" });
    expect(train.attempts[0]!.output_parameter_kinds).toEqual({ score: "metric", model: "object" });
    expect(train.output_parameter_kinds).toEqual({ score: "metric", model: "object" });
    expect(log.steps.use!.attempts[0]!.parameter_kinds).toEqual({ score: "metric", model: "object" });
    const catalog = await readdir(join(cwd, ".catalog", "ts-returns"));
    expect(catalog).toContain("model.v8");
    expect(train.data_catalog.map((d) => d.name)).not.toContain("model.v8");
  });

  it("fails the step when the function returns another number of values than declared", async () => {
    const log = await pipeline({
      steps: [typescript({ name: "short", function: () => [1] as never, returns: ["a", "b"] })],
    }).execute({ ...quiet(), throwOnFailure: false });
    expect(log.steps.short!.status).toBe("FAIL");
    expect(log.steps.short!.attempts[0]!.message).toMatch(/returned an array of 1 but the step declares 2 returns \(a, b\)/);
  });

  it("keeps a map's objects apart per item and collects them as a list of objects", async () => {
    const branch = pipeline({
      steps: [typescript({ name: "make", function: ({ item }: { item: number }) => new Set([item, item * 10]), returns: [object("made")] })],
    });
    const log = await pipeline({
      steps: [
        typescript({ name: "items", function: () => [1, 2, 3], returns: ["items"] }),
        map({ name: "each", iterateOn: "items", iterateAs: "item", branch }),
        typescript({
          name: "after",
          function: ({ made }: { made: Set<number>[] }) => ({ sums: made.map((set) => [...set].reduce((a, b) => a + b, 0)) }),
        }),
      ],
    }).execute({ ...quiet(), runId: "ts-map-objects" });
    expect(log.parameters).toMatchObject({ made: ["each.1.made", "each.2.made", "each.3.made"], sums: [11, 22, 33] });
    expect(log.parameter_kinds).toEqual({ made: "object" });
    expect((await readdir(join(cwd, ".catalog", "ts-map-objects"))).filter((f) => f.endsWith(".v8")).sort()).toEqual([
      "each.1.made.v8",
      "each.2.made.v8",
      "each.3.made.v8",
    ]);
    expect(log.steps.each!.branches["each.2"]!.parameter_kinds).toEqual({ made: "object" });
  });

  it("takes shell returns from the environment the command leaves", async () => {
    const log = await pipeline({
      steps: [
        shell({ name: "sh", command: "export rows=3 label=done conf='{\"a\": 1}'", returns: ["rows", "label", metric("conf")] }),
        typescript({ name: "check", function: ({ rows, conf }: { rows: number; conf: { a: number } }) => ({ total: rows + conf.a }) }),
      ],
    }).execute(quiet());
    expect(log.parameters).toMatchObject({ rows: 3, label: "done", conf: { a: 1 }, total: 4 });
    expect(log.steps.sh!.user_defined_metrics).toEqual({ conf: { a: 1 } });
  });
});

describe("the types of returns", () => {
  it("ties a function's return value to its declared returns", () => {
    expectTypeOf<ReturnedValues<[]>>().toEqualTypeOf<unknown>();
    expectTypeOf<ReturnedValues<["a"]>>().toEqualTypeOf<unknown>();
    expectTypeOf<ReturnedValues<[ReturnType<typeof metric<"s">>]>>().toEqualTypeOf<MetricValue>();
    expectTypeOf<ReturnedValues<["a", ReturnType<typeof metric<"s">>]>>().toEqualTypeOf<[unknown, MetricValue]>();
    typescript({ name: "ok", function: () => [1, 0.5], returns: ["a", metric("score")] });
    typescript({ name: "ok-async", function: async () => [1, 0.5, new Map()], returns: ["a", metric("score"), object("m")] });
    // @ts-expect-error two values declared, three returned
    typescript({ name: "arity", function: () => [1, 2, 3] as [number, number, number], returns: ["a", "b"] });
    // @ts-expect-error a metric is a number (or named numbers), not text
    typescript({ name: "metric", function: () => "high", returns: [metric("score")] });
    // @ts-expect-error a shell task cannot return objects
    shell({ name: "sh", command: "true", returns: [object("x")] });
  });
});
