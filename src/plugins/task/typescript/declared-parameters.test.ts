import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parameterProblem } from "./declared-parameters.js";

const fn = () => 0;

describe("parameterProblem with a schema", () => {
  const schema = z.object({ lr: z.number(), epochs: z.int().min(1), opts: z.object({ depth: z.number() }).optional() });

  it("names parameters that are not set, with the nearest one set", () => {
    expect(parameterProblem(fn, schema, { lrr: 1, epochs: 2 })).toBe('parameter "lr" is not set (did you mean "lrr"?) (available parameters: lrr, epochs)');
    expect(parameterProblem(fn, schema, {})).toBe('parameter "lr" is not set; parameter "epochs" is not set (no parameters are set)');
  });

  it("says what is wrong with a value, nested ones included", () => {
    expect(parameterProblem(fn, schema, { lr: "x", epochs: 0 })).toBe(
      'parameter "lr": Invalid input: expected number, received string; parameter "epochs": Too small: expected number to be >=1 (available parameters: lr, epochs)',
    );
    expect(parameterProblem(fn, schema, { lr: 1, epochs: 2, opts: {} })).toBe(
      'parameter "opts.depth": Invalid input: expected number, received undefined (available parameters: lr, epochs, opts)',
    );
  });

  it("names a parameter a strict schema does not declare", () => {
    expect(parameterProblem(fn, z.strictObject({ lr: z.number() }), { lr: 1, seed: 2 })).toBe(
      `parameter "seed" is not in the task's parameters schema (available parameters: lr, seed)`,
    );
  });

  it("takes any validator with zod's safeParse shape", () => {
    const custom = { safeParse: () => ({ success: false as const, error: { issues: [{ path: ["lr"], message: "must be positive" }] } }) };
    expect(parameterProblem(fn, custom, { lr: -1 })).toBe('parameter "lr": must be positive (available parameters: lr)');
    expect(parameterProblem(fn, custom, {})).toBe('parameter "lr" is not set (no parameters are set)');
  });

  it("is undefined when the parameters pass", () => {
    expect(parameterProblem(fn, schema, { lr: 1, epochs: 2 })).toBeUndefined();
  });
});
