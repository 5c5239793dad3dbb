// The benchmarks' report helper (bench/report.mjs): targets, the recorded table of docs/performance.md,
// the 20 % regression rule and `--record`. Pure functions and a scratch file: no benchmark runs here.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  compareWithRecorded,
  createReporter,
  END,
  formatValue,
  meetsTarget,
  parseRecorded,
  parseTarget,
  RECORDED_FILE,
  renderRecorded,
  START,
  // @ts-expect-error: a plain .mjs module of bench/ without types
} from "../bench/report.mjs";

const DOC = `# Performance\n\nprose\n\n${START}\n| id | figure | unit | target | recorded |\n| --- | --- | --- | --- | --- |\n| engine.cli | 300 | ms | <= 150 | 2026-12-01, load 1.0 |\n| vs050.stub-100.ratio | 17 | x | >= 5 | 2026-12-01, load 1.0 |\n| scale.note | 2.5 | s | - | 2026-12-01 |\n${END}\n\nmore prose\n`;

describe("bench/report.mjs", () => {
  it("reads targets in both directions", () => {
    expect(parseTarget("<= 1")).toEqual({ op: "<=", bound: 1 });
    expect(parseTarget(">= 5")).toEqual({ op: ">=", bound: 5 });
    expect(parseTarget("≤ 0.5")).toEqual({ op: "<=", bound: 0.5 });
    expect(parseTarget(2)).toEqual({ op: "<=", bound: 2 });
    expect(parseTarget(undefined)).toBeUndefined();
    expect(() => parseTarget("fast")).toThrow(/expected/);
    expect(meetsTarget(1, "<= 1")).toBe(true);
    expect(meetsTarget(1.01, "<= 1")).toBe(false);
    expect(meetsTarget(4.9, ">= 5")).toBe(false);
    expect(meetsTarget(3, undefined)).toBeUndefined();
  });

  it("parses the recorded table between the markers and nothing else", () => {
    const figures = parseRecorded(`| engine.cli | 1 | ms | - | x |\n${DOC}`);
    expect([...figures.keys()]).toEqual(["engine.cli", "vs050.stub-100.ratio", "scale.note"]);
    expect(figures.get("engine.cli")).toMatchObject({ value: 300, unit: "ms", target: "<= 150", recorded: "2026-12-01, load 1.0" });
    expect(figures.get("scale.note").target).toBeUndefined();
    expect(parseRecorded("no table here").size).toBe(0);
  });

  it("calls a figure a regression only when it is more than 20 % worse, in the target's direction", () => {
    expect(compareWithRecorded(119, 100, "<= 150").regression).toBe(false);
    expect(compareWithRecorded(121, 100, "<= 150").regression).toBe(true);
    expect(compareWithRecorded(50, 100, "<= 150")).toEqual({ change: -0.5, regression: false });
    expect(compareWithRecorded(13, 17, ">= 5").regression).toBe(true);
    expect(compareWithRecorded(14, 17, ">= 5").regression).toBe(false);
    expect(compareWithRecorded(30, 17, ">= 5").regression).toBe(false);
    expect(compareWithRecorded(5, undefined, "<= 1")).toBeUndefined();
    expect(compareWithRecorded(1.2, 1.6, undefined, 0.2, "higher").regression).toBe(true);
    expect(compareWithRecorded(2.1, 1.5, undefined, 0.2, "higher").regression).toBe(false);
    expect(compareWithRecorded(2.1, 1.5, undefined).regression).toBe(true);
  });

  it("rewrites only the table, keeping rows not measured again, sorted by id", () => {
    const next = renderRecorded(
      DOC,
      [
        { id: "engine.cli", value: 140.4, unit: "ms", target: "<= 150" },
        { id: "a.new", value: 0.01234, unit: "s" },
      ],
      "2026-12-07, load 2.0",
    );
    expect(next.startsWith("# Performance\n\nprose\n\n")).toBe(true);
    expect(next.endsWith("\n\nmore prose\n")).toBe(true);
    const figures = parseRecorded(next);
    expect([...figures.keys()]).toEqual(["a.new", "engine.cli", "scale.note", "vs050.stub-100.ratio"]);
    expect(figures.get("engine.cli")).toMatchObject({ value: 140, recorded: "2026-12-07, load 2.0" });
    expect(figures.get("a.new")).toMatchObject({ value: 0.012, target: undefined });
    expect(figures.get("vs050.stub-100.ratio")?.recorded).toBe("2026-12-01, load 1.0");
    expect(parseRecorded(renderRecorded("# no table yet\n", [{ id: "x", value: 1, unit: "s" }], "today")).get("x")?.value).toBe(1);
  });

  it("prints each figure against its target and the recorded one, then a summary; --record writes the table", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bench-report-"));
    try {
      const file = join(dir, "performance.md");
      await writeFile(file, DOC);
      const lines: string[] = [];
      const reporter = createReporter({ file, log: (line: string) => lines.push(line) });
      reporter.report({ id: "engine.cli", label: "one-step CLI", value: 400, unit: "ms", target: "<= 150" });
      reporter.report({ id: "vs050.stub-100.ratio", value: 18, unit: "x", target: ">= 5" });
      reporter.report({ id: "brand.new", value: 1, unit: "s", target: "<= 2", note: "context" });
      expect(lines[0]).toMatch(/^one-step CLI: 400 ms \[target <= 150 ms: MISSED\] \(recorded 300: 33 % worse\)/);
      expect(lines[1]).toMatch(/^REGRESSION engine\.cli: 400 ms against 300 recorded/);
      expect(lines[2]).toMatch(/18\.0 x \[target >= 5 x: ok\] \(recorded 17\.0: 6 % better\)/);
      expect(lines[3]).toMatch(/brand\.new: 1\.00 s \[target <= 2 s: ok\] \(not recorded yet\); context/);
      const result = reporter.finish({ record: true });
      expect(result.regressions).toHaveLength(1);
      expect(result.missed).toEqual(["engine.cli"]);
      expect(lines.join("\n")).toMatch(/1 REGRESSION\(S\)/);
      const figures = parseRecorded(await readFile(file, "utf8"));
      expect(figures.get("engine.cli")?.value).toBe(400);
      expect(figures.get("brand.new")?.value).toBe(1);
      expect(figures.get("scale.note")?.value).toBe(2.5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("formats figures to about three digits", () => {
    expect([formatValue(1234.5), formatValue(12.345), formatValue(1.2345), formatValue(0.012345)]).toEqual(["1235", "12.3", "1.23", "0.012"]);
  });

  it("finds a parseable recorded table in docs/performance.md", async () => {
    const figures = parseRecorded(await readFile(RECORDED_FILE, "utf8"));
    expect(figures.size).toBeGreaterThan(10);
    for (const figure of figures.values()) expect(() => parseTarget(figure.target)).not.toThrow();
  });
});
