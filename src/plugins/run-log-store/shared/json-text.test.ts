import { describe, expect, it } from "vitest";
import { jsonTextPieces, toJsonText } from "./json-text.js";

/** What runnable writes (Python's json.dump indent=4, ensure_ascii), as the reference. */
const reference = (value: unknown): string =>
  JSON.stringify(value, null, 4).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

const stepLog = (name: string, depth: number): unknown => ({
  name,
  internal_name: name,
  status: "SUCCESS",
  attempts: [{ attempt_number: 1, parameters: { steps: [1, { b: "é😀" }] }, metric_times_ms: { x: "1,2" } }],
  user_defined_metrics: { steps: { "0": 1, "10": 2 }, x: 2, empty: {} },
  branches: depth > 0 ? { b1: { internal_name: "b1", status: "SUCCESS", steps: { s: stepLog("s", depth - 1), steps: stepLog("steps", depth - 1) } } } : {},
  data_catalog: [],
});

describe("run log text", () => {
  it("is exactly JSON.stringify(value, null, 4) with non-ASCII escaped", () => {
    const cases: unknown[] = [
      1,
      "ü",
      null,
      true,
      [],
      {},
      [[]],
      { a: {} },
      { a: [1, { b: [] }], c: "é😀", d: undefined, e: () => 1, f: [undefined, () => 1] },
      { n: Number.NaN, i: Infinity, date: new Date(0), boxed: new String("x"), "1": 2, "0": 1 },
      JSON.parse('{"steps": {"__proto__": {"a": 1}, "2": {}, "b": {"branches": {}}}, "attempts": [null, [], {}]}'),
      { steps: { only: undefined, gone: () => 1 }, branches: { x: { toJSON: () => undefined } }, attempts: [undefined, () => 1] },
      {
        steps: Object.fromEntries(
          Array.from({ length: 300 }, (_, i) => [i % 3 ? `s${i}` : String(i), { i, branches: i % 50 ? {} : { b: { steps: { x: { i } } } } }]),
        ),
      },
      { run_id: "r", steps: { a: stepLog("a", 3), branches: stepLog("b", 1) }, parameters: { steps: { x: [] } } },
    ];
    for (const value of cases) expect(toJsonText(value)).toBe(reference(value));
  });

  it("comes in pieces of about a megabyte for large runs, never as one string", () => {
    const steps = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`step ${i}`, stepLog(`step ${i}`, 0)]));
    const run = { run_id: "big", steps };
    const pieces = [...jsonTextPieces(run)];
    expect(pieces.length).toBeGreaterThan(5);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1.1 * 2 ** 20);
    expect(pieces.join("")).toBe(reference(run));
  });

  it("batches map items' branch logs whole and walks the large ones, with the same text", () => {
    const item = (i: number) => ({
      internal_name: `m.${i}`,
      status: "SUCCESS",
      steps: {
        [`m.${i}.work`]: {
          ...(stepLog(`m.${i}.work`, 0) as object),
          user_defined_metrics: i === 7 ? { loss: Object.fromEntries(Array.from({ length: 30_000 }, (_, n) => [String(n), n])) } : {},
        },
        [`m.${i}.success`]: stepLog(`m.${i}.success`, 0),
      },
      parameters: { item: i },
    });
    const run = {
      run_id: "map",
      steps: { m: { ...(stepLog("m", 0) as object), branches: Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`m.${i}`, item(i)])) } },
    };
    const pieces = [...jsonTextPieces(run)];
    expect(pieces.join("")).toBe(reference(run));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1.5 * 2 ** 20);
  });
});
