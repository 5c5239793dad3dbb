import { describe, expect, it } from "vitest";
import { didYouMean, levenshtein, nearest } from "./suggest.js";

describe("levenshtein", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
    ["file-system", "file-sytem", 1],
    ["catalog", "catalgo", 2],
    ["same", "same", 0],
  ])("%j vs %j = %i", (a, b, distance) => {
    expect(levenshtein(a, b)).toBe(distance);
    expect(levenshtein(b, a)).toBe(distance);
  });
});

describe("nearest", () => {
  const types = ["do-nothing", "file-system", "chunked-fs", "buffered"];
  it("suggests the closest candidate", () => {
    expect(nearest("file-sytem", types)).toBe("file-system");
    expect(nearest("chunked_fs", types)).toBe("chunked-fs");
    expect(nearest("DO-NOTHING", types)).toBe("do-nothing");
    expect(nearest("bufered", types)).toBe("buffered");
  });

  it("suggests nothing when every candidate is far away", () => {
    expect(nearest("s3", types)).toBeUndefined();
    expect(nearest("mlflow", types)).toBeUndefined();
    expect(nearest("x", [])).toBeUndefined();
  });

  it("formats the suggestion", () => {
    expect(didYouMean("catalgo", ["catalog", "secrets"])).toBe(' Did you mean "catalog"?');
    expect(didYouMean("zzz", ["catalog"])).toBe("");
  });
});
