import { readFileSync } from "node:fs";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";
import { readFastYaml } from "./fast-yaml.js";
import { pythonJsonDumps } from "./python-json.js";
import { parseYamlSource } from "./yaml-source.js";

const DEPTH = 400;

/** The fast path must give exactly what the `yaml` library gives, or step aside. */
function agrees(text: string): "fast" | "fallback" {
  const fast = readFastYaml(text, DEPTH);
  if (!fast) return "fallback";
  const slow = parseYamlSource(text, "x.yaml");
  expect(slow.syntaxProblems).toEqual([]);
  expect(slow.duplicateProblems).toEqual([]);
  expect(fast.value).toEqual(slow.value);
  expect(Object.keys(fast.value as object)).toEqual(Object.keys(slow.value as object));
  for (const path of [[], ["dag"], ["dag", "steps"]]) {
    const [a, b] = [fast.hashable(path), slow.hashable(path)];
    expect(a === undefined ? undefined : pythonJsonDumps(a)).toEqual(b === undefined ? undefined : pythonJsonDumps(b));
  }
  return "fast";
}

describe("the fast YAML path", () => {
  it("reads every example pipeline and config exactly as the yaml library does (or steps aside)", () => {
    const files = globSync(["examples/**/*.yaml", "examples/**/*.yml", "tests/fixtures/**/*.yaml", "src/**/fixtures/**/*.y*ml"]);
    expect(files.length).toBeGreaterThan(50);
    const taken = files.filter((file) => agrees(readFileSync(file, "utf8")) === "fast");
    expect(taken.length).toBeGreaterThan(files.length / 2);
  });

  it("resolves scalars as YAML 1.2 core does", () => {
    const text = [
      "a: [~, null, Null, NULL, '', true, True, TRUE, false, yes, no, on, off, y, n]",
      "b: [0, -0, +5, 007, 0o17, 0o8, 0x1F, 0X1F, +0x1, 1_000, 12345678901234567890]",
      "c: [1.0, -1.5, .5, 5., 1e3, 1E-3, 1.5e+2, .inf, -.Inf, +.INF, .nan, .NaN, 1.0.0, 0.1e, nan, inf]",
      "d: [2024-01-01, 12:30, 1:20:30, '1.0', \"2\", !!str 3, 0b101, 1__0]",
      "e: {1: one, true: t, 0x10: hex, '': empty}",
      "f: |\n  line one\n  line two\ng: >\n  folded\n  text\nh: plain\n  continued",
      "i: 'it''s'\nj: \"tab\\tnew\\nline \\u00e9 \\U0001F600 \\x41\"",
      "'__proto__': {polluted: true}",
      "dag: {steps: {x: {p: 1.0, q: 2}}}",
    ].join("\n");
    expect(agrees(text)).toBe("fast");
    const value = readFastYaml(text, DEPTH)!.value as Record<string, unknown>;
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.keys(value)).toContain("__proto__");
  });

  it("steps aside for what it cannot read the same way", () => {
    const aside = [
      "a: [1, 2", // syntax error
      "a: 1\na: 2", // duplicate key
      "a: &x {b: 1}\nc: *x", // alias of a mapping
      '{"a":&x {b: 1}, "c": *x}', // an anchor right after a flow key's colon
      "- &x [1]\n- *x", // alias of a list
      "a: &x {b: 1}\nc:\n  <<: *x\n  d: 2", // merge key
      "a: !!python/object {}", // tag
      "a: !custom 1",
      "1.5: float key",
      "--- 1\n--- 2", // two documents
      "",
      "~",
      "[".repeat(450) + "]".repeat(450), // deeper than the limit
    ];
    for (const text of aside) expect(readFastYaml(text, DEPTH), text.slice(0, 40)).toBeUndefined();
    expect(agrees("a: &x 1.5\nb: *x\nc: &y text\nd: *y")).toBe("fast"); // aliases of scalars are copies
    expect(agrees("a: make && make test\nb: [1.5, {c: 2.0}]\nd: 3")).toBe("fast"); // floats in place, marked for hashing
    expect(readFastYaml("null: n", DEPTH)).toBeUndefined(); // the yaml library makes a null key ""
    expect(readFastYaml("~: n", DEPTH)).toBeUndefined();
  });
});
