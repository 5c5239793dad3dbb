import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileCheck } from "./compile-check.js";

// Values every schema below is tried on (zod is the reference: the compiled check must agree).
const VALUES: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  1,
  -1,
  1.5,
  2 ** 60,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  "",
  "a",
  "abc",
  "2026-01-02 03:04:05.123456",
  "CREATED",
  [],
  ["a"],
  ["a", "b"],
  ["a", "b", "c"],
  [1, 2],
  {},
  { a: "x" },
  { a: 1 },
  { a: "x", b: 2 },
  { a: undefined },
  { b: "x" },
  Object.create(null),
  JSON.parse('{"__proto__": 5, "a": "x"}'),
  new Date(0),
];

const nested = z.object({
  a: z.string(),
  get children(): z.ZodOptional<z.ZodArray<typeof nested>> {
    return z.array(nested).optional();
  },
});

const SCHEMAS: Array<[string, z.ZodType]> = [
  ["string", z.string()],
  ["string min", z.string().min(1)],
  ["string max", z.string().max(2)],
  ["string regex", z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/)],
  ["number", z.number()],
  ["int min", z.number().int().min(1)],
  ["z.int", z.int()],
  ["positive", z.number().positive()],
  ["nonnegative max", z.number().nonnegative().max(10)],
  ["boolean", z.boolean()],
  ["null", z.null()],
  ["enum", z.enum(["CREATED", "SUCCESS"])],
  ["literal", z.literal("a")],
  ["literal number", z.literal(1)],
  ["nullable", z.string().nullable()],
  ["optional", z.string().optional()],
  ["unknown", z.unknown()],
  ["array", z.array(z.string())],
  ["tuple", z.tuple([z.string(), z.string()])],
  ["record", z.record(z.string(), z.string())],
  ["record of unknown", z.record(z.string(), z.unknown())],
  ["object", z.object({ a: z.string() })],
  ["object, optional key", z.object({ a: z.string().optional() })],
  ["object, unknown key", z.object({ a: z.unknown() })],
  ["object, nullable unknown", z.object({ a: z.unknown().nullable() })],
  ["loose object", z.looseObject({ a: z.string() })],
  ["strict object", z.strictObject({ a: z.string() })],
  ["strict empty object", z.strictObject({})],
  ["union", z.union([z.string(), z.number()])],
  ["discriminated union", z.discriminatedUnion("a", [z.object({ a: z.literal("x") }), z.object({ a: z.literal(1), b: z.number() })])],
  ["lazy", z.lazy(() => z.string())],
  ["recursive", nested],
];

describe("compileCheck", () => {
  for (const [name, schema] of SCHEMAS) {
    it(`agrees with safeParse: ${name}`, () => {
      const check = compileCheck(schema);
      for (const value of VALUES) expect([value, check(value)]).toEqual([value, schema.safeParse(value).success]);
    });
  }

  it("follows recursive schemas to any depth", () => {
    const check = compileCheck(nested);
    const deep = { a: "1", children: [{ a: "2", children: [{ a: "3", children: [] }] }] };
    expect(check(deep)).toBe(true);
    deep.children[0]!.children[0]!.a = 3 as unknown as string;
    expect(check(deep)).toBe(false);
  });

  it("refuses, when compiling, what it does not know (so a schema it cannot check fails its tests, not a run)", () => {
    expect(() => compileCheck(z.string().email())).toThrow(/string check string_format \(email\) is not supported/);
    expect(() => compileCheck(z.string().transform(Number))).toThrow(/a schema of type pipe is not supported/);
    expect(() => compileCheck(z.string().default("x"))).toThrow(/type default/);
    expect(() => compileCheck(z.object({}).refine(() => true))).toThrow(/a refinement of object/);
    expect(() => compileCheck(z.record(z.enum(["a"]), z.string()))).toThrow(/a record key other than z.string\(\)/);
    expect(() => compileCheck(z.string().regex(/a/g))).toThrow(/g or y flag/);
    expect(() => compileCheck(z.tuple([z.string()], z.number()))).toThrow(/rest element/);
  });

  it("writes keys into its generated code as literals only", () => {
    const odd = z.object({ 'a"); throw new Error("x': z.string(), "\u2028": z.number() });
    const check = compileCheck(odd);
    expect(check({ 'a"); throw new Error("x': "v", "\u2028": 1 })).toBe(true);
    expect(check({ 'a"); throw new Error("x': 1, "\u2028": 1 })).toBe(false);
  });
});
