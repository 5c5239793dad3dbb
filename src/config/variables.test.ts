import { describe, expect, it } from "vitest";
import { collectVariables, substituteString, substituteVariables } from "./variables.js";

describe("collectVariables", () => {
  it("collects both prefixes, keeps the case of ids, and prefers RUNNABLE_VAR_", () => {
    const env = {
      runnable_VAR_image: "old:1",
      RUNNABLE_VAR_image: "new:2",
      runnable_VAR_Tag: "t",
      RUNNABLE_VAR_: "ignored (no id)",
      RUNNABLE_PRM_x: "1",
      PATH: "/bin",
      RUNNABLE_VAR_unset: undefined,
    };
    expect(collectVariables(env)).toEqual({ Tag: "t", image: "new:2" });
  });

  it("keeps prototype-like ids as plain own keys", () => {
    const variables = collectVariables({ RUNNABLE_VAR___proto__: "x" });
    expect(Object.hasOwn(variables, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(variables)).toBe(Object.prototype);
  });
});

describe("substituteString", () => {
  const variables = { image: "runnable:3.8", tag: "v1", _x1: "u" };
  it.each([
    ["$image", "runnable:3.8"],
    ["${image}", "runnable:3.8"],
    ["repo/$image-slim", "repo/runnable:3.8-slim"],
    ["${tag}suffix", "v1suffix"],
    ["$_x1.$tag", "u.v1"],
    ["cost: $$5", "cost: $5"],
    ["$$image", "$image"],
    ["$$$tag", "$v1"],
    ["100$", "100$"],
    ["a $ b", "a $ b"],
    ["$1 and $-", "$1 and $-"],
    ["price in $.", "price in $."],
    ["no variables", "no variables"],
    ["", ""],
  ])("%j -> %j", (text, expected) => {
    expect(substituteString(text, variables)).toEqual({ text: expected, problems: [] });
  });

  it("names an unknown variable and how to set it", () => {
    const result = substituteString("$imagex and ${missing}", variables);
    expect(result.problems).toEqual([
      expect.stringContaining('unknown variable "imagex"; set it with: export RUNNABLE_VAR_imagex=...'),
      expect.stringContaining('unknown variable "missing"'),
    ]);
  });

  it.each(["${unclosed", "${}", "${1abc}", "${a-b}"])("keeps the malformed placeholder %j as written, with a warning", (text) => {
    expect(substituteString(`${text} $tag`, variables)).toEqual({ text: `${text} v1`, problems: [expect.stringContaining("malformed placeholder")] });
  });

  it("keeps unknown variables as written, as Python's Template.safe_substitute does", () => {
    expect(substituteString("$imagex:${missing}/$tag $$x", variables).text).toBe("$imagex:${missing}/v1 $x");
  });

  it("does not find variables on the object prototype", () => {
    expect(substituteString("$toString", {}).problems).toHaveLength(1);
  });
});

describe("substituteVariables", () => {
  it("substitutes string values at any depth and leaves keys and other values alone", () => {
    const value = { $key: "$a", list: ["x$a", 1, true, null], nested: { deep: "${a}" } };
    expect(substituteVariables(value, { a: "A" })).toEqual({
      value: { $key: "A", list: ["xA", 1, true, null], nested: { deep: "A" } },
      problems: [],
    });
  });

  it("reports the path of each problem", () => {
    const result = substituteVariables({ overrides: { gpu: { docker_image: "$nope" } }, list: ["${bad"] }, {});
    expect(result.problems.map((p) => p.path)).toEqual([
      ["overrides", "gpu", "docker_image"],
      ["list", 0],
    ]);
  });
});
