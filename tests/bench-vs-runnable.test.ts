// Smoke test of `npm run bench:vs-runnable` (the benchmark itself needs runnable 0.3.0, 0.50.0 and
// minutes): every pipeline it generates, in both dialects, is valid, and the small ones run with
// runnable-ts the way the benchmark runs them and pass its checks (through the CLI's main() in this
// process: the pipelines are under test here, not the process).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs module of bench/ without types
import { checkRunLog, executeArgs, executeArgs050, measures, measures050 } from "../bench/vs-runnable-pipelines.mjs";
import { runMain } from "./helpers/cli.js";

interface Measure {
  name: string;
  files: Record<string, string>;
  steps: number;
}

const all = measures() as Measure[];
const all050 = measures050() as Measure[];
const small = (m: Measure) => !/1000|1,000 items/.test(m.name);

async function inScratch<T>(measure: Measure, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "runnable-bench-smoke-"));
  try {
    for (const [name, text] of Object.entries(measure.files)) await writeFile(join(dir, name), text);
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("the side-by-side benchmark's pipelines", () => {
  it("covers every measure of issue 14", () => {
    expect(all.map((m) => m.name)).toEqual([
      ...["stub", "shell", "python"].flatMap((kind) => [10, 100, 1000].map((n) => `${kind} chain of ${n}`)),
      "map of 100 items",
      "map of 1000 items",
      "one-step CLI run",
      "1,000 track_this points",
    ]);
  });

  it.each(all.filter((m) => !small(m)).map((m) => [m.name, m]))("%s is a valid pipeline", async (_name, measure) => {
    const result = await inScratch(measure, (dir) => runMain(["validate", "pipeline.yaml"], { cwd: dir }));
    expect(result.code, result.stderr).toBe(0);
  });

  it.each(all.filter(small).map((m) => [m.name, m]))("%s runs and passes the benchmark's checks", async (_name, measure) => {
    const wrong = await inScratch(measure, async (dir) => {
      const result = await runMain(["execute", ...executeArgs(measure, "smoke"), "--quiet"], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      return checkRunLog(dir, "smoke", measure);
    });
    expect(wrong).toBe("");
  });
});

describe("the side-by-side benchmark's pipelines in runnable 0.50's dialect", () => {
  it("has every 2024 measure 0.50 can run, under the same names and slugs", () => {
    expect(all050.map((m) => m.name)).toEqual(all.map((m) => m.name).filter((name) => !name.includes("track_this")));
    for (const measure of all050) expect(measure.files["pipeline.yaml"]).not.toMatch(/type: (success|fail)/);
  });

  it.each(all050.filter((m) => !small(m)).map((m) => [m.name, m]))("%s is a valid pipeline", async (_name, measure) => {
    const result = await inScratch(measure, (dir) => runMain(["validate", "pipeline.yaml"], { cwd: dir }));
    expect(result.code, result.stderr).toBe(0);
  });

  it.each(all050.filter(small).map((m) => [m.name, m]))("%s runs as 0.50 runs it and passes the checks", async (_name, measure) => {
    const wrong = await inScratch(measure, async (dir) => {
      const result = await runMain(["execute", ...executeArgs050(measure), "--quiet"], { cwd: dir, env: { RUNNABLE_RUN_ID: "smoke" } });
      expect(result.code, result.stderr).toBe(0);
      return checkRunLog(dir, "smoke", measure);
    });
    expect(wrong).toBe("");
  });
});
