import { existsSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, runCli, scratchDir } from "./helpers/cli.js";

// The CLI companions of the run browser: runs list filters, metric values in runs show, runs compare,
// runs delete and runs gc, on runs made by the real CLI.

let dir = "";
let cleanup: () => Promise<void> = async () => undefined;
const cli = (...args: string[]) => runCli(args, { cwd: dir });

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  const { symlink } = await import("node:fs/promises");
  await symlink(join(REPO, "tests"), join(dir, "tests"));
  await writeFile(join(dir, "fast.yaml"), "lr: 0.1\n");
  await writeFile(join(dir, "slow.yaml"), "lr: 0.01\n");
  for (const args of [
    ["-f", "tests/fixtures/ui/tune.yaml", "-p", "fast.yaml", "--run-id", "tune-a", "--tag", "sweep"],
    ["-f", "tests/fixtures/ui/tune.yaml", "-p", "slow.yaml", "--run-id", "tune-b", "--tag", "sweep"],
    ["-f", "examples/default-fail.yaml", "--run-id", "fail-1"],
    ["-f", "examples/quickstart/pipeline.yaml", "--run-id", "quick-1"],
  ]) {
    await cli("execute", "-q", ...args);
  }
}, 60_000);

afterAll(async () => {
  await cleanup();
});

describe("runs list filters", () => {
  it("filters by status and tag, limits, and prints JSON", async () => {
    const failed = JSON.parse((await cli("runs", "list", "--status", "FAIL", "--json")).stdout);
    expect(failed.map((r: { run_id: string }) => r.run_id)).toEqual(["fail-1"]);
    const sweep = JSON.parse((await cli("runs", "list", "--tag", "sweep", "--json")).stdout);
    expect(sweep.map((r: { run_id: string }) => r.run_id)).toEqual(["tune-b", "tune-a"]);
    const limited = await cli("runs", "list", "--limit", "2");
    expect(limited.stdout.trim().split("\n")).toHaveLength(3);
    expect(limited.stdout).toContain("quick-1");
    const none = await cli("runs", "list", "--status", "success", "--tag", "nothing");
    expect(none.stdout).toBe("no matching runs in the file-system run log store\n");
  });

  it("rejects an unknown status and a bad limit with exit 2", async () => {
    const status = await cli("runs", "list", "--status", "DONE");
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('--status "DONE" is not a status');
    expect((await cli("runs", "list", "--limit", "0")).code).toBe(2);
  });
});

describe("runs show and runs compare", () => {
  it("shows metric values, step-wise ones with their steps", async () => {
    const shown = await cli("runs", "show", "tune-a");
    expect(shown.stdout).toContain("metric accuracy = 0.9\n");
    expect(shown.stdout).toContain("metric loss = 0.166667 at step 5 (5 steps: 0.5, 0.333333, 0.25, 0.2, 0.166667)");
  });

  it("compares parameters (differences marked), final metrics and step durations", async () => {
    const table = await cli("runs", "compare", "tune-a", "tune-b");
    expect(table.code).toBe(0);
    const lines = table.stdout.split("\n");
    expect(lines[0]).toMatch(/^\s+tune-a\s+tune-b$/);
    expect(lines.find((l) => l.startsWith("* lr"))).toMatch(/^\* lr\s+0\.1\s+0\.01$/);
    expect(lines.find((l) => l.includes("trained"))).toMatch(/^ {2}trained\s+true\s+true$/);
    expect(lines.find((l) => l.startsWith("* accuracy"))).toMatch(/0\.9\s+0\.99$/);
    expect(lines.find((l) => l.trim().startsWith("train "))).toMatch(/\d\.\d{3} s\s+\d\.\d{3} s$/);
    const json = JSON.parse((await cli("runs", "compare", "tune-a", "tune-b", "--json")).stdout);
    expect(json.parameters.find((p: { key: string }) => p.key === "lr")).toEqual({ key: "lr", values: [0.1, 0.01], present: [true, true], differs: true });
    expect(json.final_metrics.find((p: { key: string }) => p.key === "loss").values).toEqual([0.166667, 0.666667]);
    expect(json.durations.map((d: { step: string }) => d.step)).toEqual(["train", "success"]);
  });

  it("reports a missing run with exit 2", async () => {
    const missing = await cli("runs", "compare", "tune-a", "nope-1");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No run log with id "nope-1"');
  });
});

describe("runs delete and runs gc", () => {
  it("refuses to delete a run still in progress, and deletes nothing then", async () => {
    const running = cli("execute", "-q", "-f", "tests/fixtures/ui/slow.yaml", "--run-id", "live-1");
    await expect.poll(() => existsSync(join(dir, ".run_log_store", "live-1.json")), { timeout: 10_000 }).toBe(true);
    const refused = await cli("runs", "delete", "fail-1", "live-1");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Run live-1 is still running (PROCESSING); nothing was deleted");
    expect(existsSync(join(dir, ".run_log_store", "fail-1.json"))).toBe(true);
    expect((await running).code).toBe(0);
  });

  it("deletes a run left PROCESSING by a process that is gone (stale)", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [join(REPO, "bin/runnable.js"), "execute", "-q", "-f", "tests/fixtures/ui/slow.yaml", "--run-id", "dead-1"], {
      cwd: dir,
      stdio: "ignore",
    });
    const gone = new Promise((resolve) => child.once("exit", resolve));
    await expect.poll(() => existsSync(join(dir, ".run_log_store", "dead-1.json")), { timeout: 10_000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGKILL");
    await gone;
    const stale = JSON.parse((await cli("runs", "list", "--status", "stale", "--json")).stdout);
    expect(stale.map((r: { run_id: string; stale?: boolean }) => [r.run_id, r.stale])).toEqual([["dead-1", true]]);
    const deleted = await cli("runs", "delete", "dead-1");
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^deleted dead-1: freed /m);
    const { readdir } = await import("node:fs/promises");
    expect((await readdir(join(dir, ".run_log_store"))).filter((name) => name.startsWith("dead-1."))).toEqual([]);
  });

  it("deletes runs with their catalog folders and says how much was freed", async () => {
    expect(existsSync(join(dir, ".catalog", "quick-1", "data", "numbers.txt"))).toBe(true);
    const deleted = await cli("runs", "delete", "quick-1", "live-1");
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^deleted quick-1: freed \d+\.\d KiB \(run log \d+\.\d KiB, catalog \d+ B\)$/m);
    expect(deleted.stdout).toMatch(/^freed \d+\.\d KiB in total$/m);
    expect(existsSync(join(dir, ".catalog", "quick-1"))).toBe(false);
    expect(existsSync(join(dir, ".run_log_store", "quick-1.json"))).toBe(false);
    expect((await cli("runs", "show", "quick-1")).code).toBe(2);
    const again = await cli("runs", "delete", "quick-1");
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('No run log with id "quick-1"');
  });

  it("collects runs older than a duration (dry run first), keeping newer ones", async () => {
    const old = new Date(Date.now() - 3 * 86_400_000);
    // (a finished run leaves no journal: only its snapshot dates it)
    for (const file of ["fail-1.json"]) await utimes(join(dir, ".run_log_store", file), old, old);
    const dry = await cli("runs", "gc", "--older-than", "2d", "--dry-run");
    expect(dry.stdout).toBe("would delete fail-1\n");
    expect(existsSync(join(dir, ".run_log_store", "fail-1.json"))).toBe(true);
    const gc = await cli("runs", "gc", "--older-than", "1d12h");
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/^deleted 1 run older than 1d12h, freed \d+\.\d KiB$/m);
    expect(existsSync(join(dir, ".catalog", "fail-1"))).toBe(false);
    const left = JSON.parse((await cli("runs", "list", "--json")).stdout).map((r: { run_id: string }) => r.run_id);
    expect(left.sort()).toEqual(["tune-a", "tune-b"]);
  });

  it("rejects a duration it cannot read with exit 2 and examples", async () => {
    const bad = await cli("runs", "gc", "--older-than", "soon");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than "soon" is not a duration');
    expect(bad.stderr).toContain("30d, 12h");
  });
});
