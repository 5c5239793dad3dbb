import { describe, expect, it } from "vitest";
import { generateRunId, RUN_ID_ADJECTIVES, RUN_ID_SURNAMES, validateRunId } from "./run-id.js";

describe("generateRunId", () => {
  it("builds <adjective>-<surname>-<HHMM> from the local time", () => {
    const id = generateRunId(new Date(2024, 0, 2, 5, 44), () => 0);
    expect(id).toBe(`${RUN_ID_ADJECTIVES[0]}-${RUN_ID_SURNAMES[0]}-0544`);
  });

  it("uses the last words when random returns values close to 1 (and clamps 1)", () => {
    const last = `${RUN_ID_ADJECTIVES.at(-1)}-${RUN_ID_SURNAMES.at(-1)}-2359`;
    expect(generateRunId(new Date(2024, 0, 2, 23, 59), () => 0.999999)).toBe(last);
    expect(generateRunId(new Date(2024, 0, 2, 23, 59), () => 1)).toBe(last);
  });

  it("draws the adjective first and the surname second", () => {
    const values = [0.5, 0];
    const id = generateRunId(new Date(2024, 0, 2, 0, 0), () => values.shift() ?? 0);
    const adjective = RUN_ID_ADJECTIVES[Math.floor(0.5 * RUN_ID_ADJECTIVES.length)];
    expect(id).toBe(`${adjective}-${RUN_ID_SURNAMES[0]}-0000`);
  });

  it("always produces a valid run id", () => {
    for (let i = 0; i < 200; i++) {
      const id = generateRunId(new Date(), Math.random);
      expect(id).toMatch(/^[a-z]+-[a-z]+-\d{4}$/);
      expect(validateRunId(id)).toBeUndefined();
    }
  });

  it("has word lists of at least 100 unique lowercase words each", () => {
    for (const list of [RUN_ID_ADJECTIVES, RUN_ID_SURNAMES]) {
      expect(list.length).toBeGreaterThanOrEqual(100);
      expect(new Set(list).size).toBe(list.length);
      for (const word of list) expect(word).toMatch(/^[a-z]+$/);
    }
  });
});

describe("validateRunId", () => {
  it.each(["fixed", "blazing-colden-0544", "a.b_c-d", "A1", "x".repeat(128), "run..2"])("accepts %s", (id) => {
    expect(validateRunId(id)).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ["x".repeat(129), "at most 128"],
    ["a/b", 'contains "/"'],
    ["a b", 'contains " "'],
    ["..", 'cannot start with "."'],
    [".hidden", 'cannot start with "."'],
    ["-flag", 'cannot start with "." or "-"'],
    ["a\\b", 'contains "\\"'],
    ["é", 'contains "é"'],
  ])("rejects %j (%s)", (id, text) => {
    expect(validateRunId(id)).toContain(text);
  });
});
