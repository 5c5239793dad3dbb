import { describe, expect, it } from "vitest";
import { parseAge } from "./age.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("parseAge", () => {
  it("reads days, hours, minutes from 60 up, weeks, months and years", () => {
    expect(parseAge("30d")).toBe(30 * DAY);
    expect(parseAge("12h")).toBe(12 * HOUR);
    expect(parseAge("90m")).toBe(90 * MIN);
    expect(parseAge("2w")).toBe(14 * DAY);
    expect(parseAge("6mo")).toBe(180 * DAY);
    expect(parseAge("1y")).toBe(365 * DAY);
    expect(parseAge("45s")).toBe(45_000);
  });

  it("reads combined parts, long spellings and spaces", () => {
    expect(parseAge("1d12h")).toBe(36 * HOUR);
    expect(parseAge("1h30m")).toBe(90 * MIN);
    expect(parseAge("45min")).toBe(45 * MIN);
    expect(parseAge("2 days 3 hours")).toBe(51 * HOUR);
    expect(parseAge("1month")).toBe(30 * DAY);
    expect(parseAge("1.5h")).toBe(90 * MIN);
  });

  it("refuses m below 60 on its own (minutes or months?), saying how to write either", () => {
    for (const text of ["1m", "6m", "59m", "1d5m"]) {
      expect(() => parseAge(text)).toThrow(expect.objectContaining({ code: "CLI_USAGE", message: expect.stringContaining("is ambiguous") }));
    }
    expect(() => parseAge("1m")).toThrow(expect.objectContaining({ hint: expect.stringContaining("1min for minutes or 1mo for months") }));
  });

  it("refuses what is not a duration, with examples", () => {
    for (const text of ["soon", "", "30", "d30", "3x", "1d-2h"]) {
      expect(() => parseAge(text)).toThrow(expect.objectContaining({ code: "CLI_USAGE", hint: expect.stringContaining("30d, 12h, 90m") }));
    }
  });
});
