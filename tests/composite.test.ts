// Parallel, map and dag steps end to end: runnable's examples through the real CLI (YAML and
// TypeScript; most YAML ones on the engine harness, tests/engine-composite.test.ts), then fan-in,
// conflicts, reducers and awkward map items through the SDK.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractErrors, readRunLog, runCli, runMain, scratchDir } from "./helpers/cli.js";
import { inScratch, statuses } from "./helpers/composite.js";
import { COMPOSITE_CASES } from "./helpers/composite-examples.js";
import { map, parallel, pipeline, shell, stub, typescript } from "../src/sdk/index.js";

/**
 * Each example runs in YAML and in TypeScript. The YAML files run on the engine harness
 * (tests/engine-composite.test.ts) except map_shell.yaml, which runs here through the real CLI as do
 * the TypeScript modules parallel-fail.ts (a failing run's exit code) and nesting.ts; the other
 * TypeScript modules go through the CLI's main() in this process.
 */
const THROUGH_PROCESS = new Set(["examples/concepts/map_shell.yaml", "examples/typescript/parallel-fail.ts", "examples/typescript/nesting.ts"]);

describe("composite examples run end to end with the real CLI", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
  afterAll(() => cleanup());

  const rows = COMPOSITE_CASES.flatMap((c, i) => c.files.map((file, j) => [file, i, j] as const)).filter(
    ([file]) => file.endsWith(".ts") || THROUGH_PROCESS.has(file),
  );
  it.each(rows)("%s", async (file, index, variant) => {
    const c = COMPOSITE_CASES[index]!;
    const runId = `composite-${index}-${variant}`;
    const run = THROUGH_PROCESS.has(file) ? runCli : runMain;
    const result = await run(["execute", "-f", file, "--run-id", runId], { cwd: dir });
    expect(result.code, result.stderr + result.stdout).toBe(c.code);
    const log = await readRunLog(dir, runId);
    expect(await contractErrors(log)).toEqual([]);
    expect(log.status).toBe(c.status);
    expect(statuses(log.steps)).toEqual(c.steps);
    if (c.parameters) expect(log.parameters).toMatchObject(c.parameters);
    await c.check?.(log, (name) => readFile(join(dir, ".catalog", log.run_id, name), "utf8"));
  });

  it("summarises a map's branches in `runs show` instead of listing every one", async () => {
    const result = await runCli(["runs", "show", "composite-2-0"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/5 branches: 5 SUCCESS; durations median \d+\.\d{3} s, slowest \d+\.\d{3} s \(iterate and execute\.\d+\)/);
    expect(result.stdout).toContain("branch iterate and execute.40  SUCCESS");
    const fewer = await runMain(["runs", "show", "composite-2-0", "--branches", "2"], { cwd: dir });
    expect(fewer.stdout).toContain("branch iterate and execute.10  SUCCESS");
    expect(fewer.stdout).not.toContain("branch iterate and execute.20");
    expect(fewer.stdout).toContain("… 3 more branches (use --branches N to show more)");
  });
});

describe("fan-in through the SDK", () => {
  it("merges what parallel branches set and reports a conflict instead of letting the last one win", async () => {
    await inScratch({}, async (options) => {
      const sets = (values: Record<string, unknown>) => pipeline({ steps: [typescript({ name: "set", function: () => values })] });
      const ok = await pipeline({
        steps: [parallel({ name: "fan", branches: { a: sets({ x: 1, same: true }), b: sets({ y: 2, same: true }) } })],
      }).execute(options);
      expect(ok.parameters).toEqual({ x: 1, same: true, y: 2 });
      expect(ok.steps.fan!.branches["fan.a"]!.parameters).toEqual({ x: 1, same: true });

      const clash = pipeline({
        steps: [parallel({ name: "fan", branches: { a: sets({ x: 1 }), b: sets({ x: 2 }) }, onFailure: "recover" }), stub({ name: "recover" })],
      });
      const log = await clash.execute(options);
      expect(log.status).toBe("SUCCESS");
      expect(log.steps.fan!.status).toBe("FAIL");
      expect(log.steps.fan!.message).toMatch(/parameter conflict at fan-in: branches "fan.a" and "fan.b" both set "x" to different values \(1 and 2\)/);
      expect(log.parameters).not.toHaveProperty("x");
      expect(statuses(log.steps)).toEqual({ fan: "FAIL", recover: "SUCCESS", success: "SUCCESS" });
    });
  });

  it("runs map items holding dots, spaces, numbers and repeats safely, collecting values in item order", async () => {
    const items = ["a.csv", "x y", 1.5, "a.csv", { k: "v" }];
    for (const store of ["buffered", "file-system", "chunked-fs"]) {
      await inScratch({ run_log_store: { type: store } }, async (options, reopen) => {
        const branch = pipeline({ steps: [typescript({ name: "echo", function: ({ item }: { item: unknown }) => ({ seen: item }) })] });
        const built = pipeline({
          steps: [typescript({ name: "list", function: () => ({ items }) }), map({ name: "m", iterateOn: "items", iterateAs: "item", branch })],
        });
        const log = await built.execute(options);
        const again = store === "buffered" ? log : await reopen(log.run_id);
        for (const read of [log, again]) {
          expect(read.parameters.seen, store).toEqual(items);
          expect(Object.keys(read.steps.m!.branches)).toEqual(["m.a.csv", "m.x y", "m.1.5", "m.a.csv#3", 'm.{"k":"v"}']);
          expect(Object.keys(read.steps.m!.branches["m.x y"]!.steps)).toEqual(["m.x y.echo", "m.x y.success"]);
          expect(read.steps.m!.branches["m.a.csv#3"]!.parameters).toEqual({ item: "a.csv", seen: "a.csv" });
          expect(await contractErrors(read)).toEqual([]);
        }
      });
    }
  });

  it("fails a map whose list is missing or not a list, following on_failure", async () => {
    await inScratch({}, async (options) => {
      const branch = pipeline({ steps: [stub({ name: "noop" })] });
      const missing = await pipeline({
        steps: [map({ name: "m", iterateOn: "nope", iterateAs: "i", branch, onFailure: "after" }), stub({ name: "after" })],
      }).execute(options);
      expect(missing.steps.m!.status).toBe("FAIL");
      expect(missing.steps.m!.message).toMatch(/^Expected parameter nope not present/);
      const scalar = await pipeline({
        steps: [typescript({ name: "set", function: () => ({ nope: 3 }) }), map({ name: "m", iterateOn: "nope", iterateAs: "i", branch })],
      }).execute({ ...options, throwOnFailure: false });
      expect(scalar.status).toBe("FAIL");
      expect(scalar.steps.m!.message).toMatch(/^Only list is allowed as a valid iterator type: parameter nope of map "m" is the number 3/);
      const empty = await pipeline({
        steps: [typescript({ name: "set", function: () => ({ nope: [] }) }), map({ name: "m", iterateOn: "nope", iterateAs: "i", branch })],
      }).execute(options);
      expect(empty.steps.m).toMatchObject({ status: "SUCCESS", branches: {} });
    });
  });

  it("keeps metrics and changes of a failed map branch out of the parent; the step names the failed branches", async () => {
    await inScratch({}, async (options) => {
      const branch = pipeline({
        steps: [
          shell({ name: "work", command: 'export RUNNABLE_PRM_out=$RUNNABLE_PRM_i; export RUNNABLE_TRACK_seen=$RUNNABLE_PRM_i; test "$RUNNABLE_PRM_i" != 2' }),
        ],
      });
      const log = await pipeline({
        steps: [typescript({ name: "list", function: () => ({ items: [1, 2, 3] }) }), map({ name: "m", iterateOn: "items", iterateAs: "i", branch })],
      }).execute({ ...options, throwOnFailure: false });
      expect(log.status).toBe("FAIL");
      expect(log.steps.m!.message).toBe("1 of 3 branches failed: m.2");
      expect(log.parameters).not.toHaveProperty("out");
      expect(log.steps.m!.branches["m.1"]!.steps["m.1.work"]!.user_defined_metrics).toEqual({ seen: 1 });
      expect(log.steps.m!.branches["m.3"]!.parameters).toMatchObject({ out: 3 });
    });
  });
});
