import { describe, expect, it } from "vitest";
import { escapeGlob, withItemValues } from "./item-values.js";

describe("iterate values in catalog patterns and commands", () => {
  const items = [
    ["lr", 0.01],
    ["name", "a*b"],
    ["cfg", { depth: 2 }],
  ] as const;

  it("replaces the names of enclosing maps and leaves other ${...} alone", () => {
    expect(withItemValues("model_${lr}.pt", items)).toBe("model_0.01.pt");
    expect(withItemValues("echo ${HOME} ${ name } $lr ${cfg}", items)).toBe('echo ${HOME} a*b $lr {"depth":2}');
    expect(withItemValues("model_${lr}.pt", [])).toBe("model_${lr}.pt");
  });

  it("lets an inner map's name win and escapes values in glob patterns", () => {
    expect(withItemValues("${lr}", [...items, ["lr", 0.5]])).toBe("0.5");
    expect(withItemValues("out/${name}/*.csv", items, escapeGlob)).toBe("out/a\\*b/*.csv");
  });
});
