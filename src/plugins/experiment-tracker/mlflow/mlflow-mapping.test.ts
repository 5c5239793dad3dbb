import { describe, expect, it } from "vitest";
import {
  emptyPending,
  isMetricValue,
  MLFLOW_LIMITS,
  paramName,
  paramText,
  pendingIsFull,
  sanitiseKey,
  takeBatch,
  truncateCodePoints,
} from "./mlflow-mapping.js";

const VALID_KEY = /^[/\w.\- :]*$/u;

describe("sanitiseKey", () => {
  it.each([
    ["accuracy", "accuracy"],
    ["val loss/epoch-1.5:x", "val loss/epoch-1.5:x"],
    ["acc@1", "acc_1"],
    ["a\u0000b\"c'd", "a_b_c_d"],
    ["../etc", "__/etc"],
    ["/a//b/./c/", "a/b/c"],
    ["..", "__"],
    ["", "_"],
    ["/", "_"],
    ["précision", "précision"],
  ])("%j -> %j", (raw, expected) => {
    expect(sanitiseKey(raw)).toBe(expected);
  });

  it("keeps keys within 250 characters and never ends them with a slash", () => {
    const key = sanitiseKey(`${"a".repeat(249)}/b`);
    expect(key.length).toBeLessThanOrEqual(MLFLOW_LIMITS.keyLength);
    expect(key.endsWith("/")).toBe(false);
    expect(sanitiseKey("x".repeat(400))).toHaveLength(250);
  });

  it("always yields a key MLflow accepts (ASCII inputs)", () => {
    for (let code = 0; code < 128; code += 1) {
      expect(sanitiseKey(`k${String.fromCharCode(code)}v`)).toMatch(VALID_KEY);
    }
  });
});

describe("value mapping", () => {
  it("treats finite numbers (int or float) as metrics, nothing else", () => {
    expect([1, 0, -3, 1.5, 1e300].every(isMetricValue)).toBe(true);
    expect([true, false, "1", null, NaN, Infinity, { a: 1 }, [1]].some(isMetricValue)).toBe(false);
  });

  it("renders params as MLflow's Python client does (str(value))", () => {
    expect(paramText("hello")).toBe("hello");
    expect(paramText(true)).toBe("True");
    expect(paramText(false)).toBe("False");
    expect(paramText(null)).toBe("None");
    expect(paramText({ ham: "world", "it's": 'say "hi"' })).toBe(`{'ham': 'world', "it's": 'say "hi"'}`);
    expect(paramText([1, 2.5, 1e-5, 1.5e-7, 0.0001, "a\nb"])).toBe("[1, 2.5, 1e-05, 1.5e-07, 0.0001, 'a\\nb']");
    expect(paramText(NaN)).toBe("nan");
    expect(paramText(-Infinity)).toBe("-inf");
  });

  it("names params <key>_<step> and keeps the step suffix when the key is cut", () => {
    expect(paramName("spam", 0)).toBe("spam_0");
    expect(paramName("eggs ham", 12)).toBe("eggs ham_12");
    const long = paramName("k".repeat(300), 7);
    expect(long).toHaveLength(250);
    expect(long.endsWith("_7")).toBe(true);
  });

  it("cuts by code points without splitting surrogate pairs", () => {
    expect(truncateCodePoints("abc", 5)).toBe("abc");
    expect(truncateCodePoints("😀😀😀", 2)).toBe("😀😀");
  });
});

describe("takeBatch", () => {
  it("splits metrics, params and tags by MLflow's per-request limits", () => {
    const pending = emptyPending();
    for (let i = 0; i < 2500; i += 1) pending.metrics.push({ key: "m", value: i, step: i, timestamp: 1 });
    for (let i = 0; i < 150; i += 1) pending.params.push({ key: `p${i}`, value: "v" });
    for (let i = 0; i < 120; i += 1) pending.tags.set(`t${i}`, "v");
    expect(pendingIsFull(pending)).toBe(true);
    const sizes: number[][] = [];
    for (let batch = takeBatch(pending); batch; batch = takeBatch(pending)) {
      sizes.push([batch.metrics.length, batch.params.length, batch.tags.length]);
    }
    expect(sizes).toEqual([
      [800, 100, 100],
      [930, 50, 20],
      [770, 0, 0],
    ]);
    expect(sizes.every(([m, p, t]) => m! + p! + t! <= 1000)).toBe(true);
    expect(takeBatch(pending)).toBeNull();
  });

  it("keeps request bodies under the byte budget", () => {
    const pending = emptyPending();
    const big = "€".repeat(MLFLOW_LIMITS.paramValueLength); // 18 kB of UTF-8 each
    for (let i = 0; i < 100; i += 1) pending.params.push({ key: `p${i}`, value: big });
    let batches = 0;
    for (let batch = takeBatch(pending); batch; batch = takeBatch(pending)) {
      batches += 1;
      expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThan(1_000_000);
    }
    expect(batches).toBe(3); // 1.8 MB in bodies of at most 0.9 MB
  });

  it("always makes progress, even with a tiny budget", () => {
    const pending = emptyPending();
    pending.params.push({ key: "a", value: "x".repeat(100) }, { key: "b", value: "y" });
    expect(takeBatch(pending, 10)?.params.map((p) => p.key)).toEqual(["a"]);
    expect(takeBatch(pending, 10)?.params.map((p) => p.key)).toEqual(["b"]);
  });
});
