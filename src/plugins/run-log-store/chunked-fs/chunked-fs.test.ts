import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRunnableError } from "../../../core/errors.js";
import { type LogLocation, newBranchLog } from "../../../core/run-log.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { runLogStoreContract, sampleRunHeader, sampleStepLog } from "../../../testing/contracts/run-log-store.contract.js";
import { encodeName, parseFileName } from "./chunk-names.js";
import { chunkText } from "./chunk-writes.js";
import { toJsonText } from "../shared/json-text.js";
import { type ChunkedFsStoreOptions, createChunkedFsRunLogStore } from "./chunked-fs.js";
import { chunkedFsRunLogStorePlugin } from "./index.js";
import { holdLeaseInChild } from "../shared/spawn-lease-holder.fixture.js";

async function harness() {
  const folder = await mkdtemp(path.join(os.tmpdir(), "chunked-run-log-"));
  const open = () => createChunkedFsRunLogStore({ folder });
  return {
    store: open(),
    reopen: async () => open(),
    holdLeaseElsewhere: (runId: string) => holdLeaseInChild("chunked-fs", folder, runId),
    cleanup: () => rm(folder, { recursive: true, force: true }),
  };
}

runLogStoreContract("chunked-fs", harness, { sharedStorage: true, leasesAcrossProcesses: true });
runLogStoreContract("chunked-fs (plug-in, relative log_folder)", async () => {
  const cwd = await mkdtemp(path.join(os.tmpdir(), "chunked-run-log-cwd-"));
  const context: PluginContext = { cwd, env: {}, warn: () => undefined };
  const open = () => chunkedFsRunLogStorePlugin.create(chunkedFsRunLogStorePlugin.configSchema.parse({}), context);
  return { store: await open(), reopen: open, cleanup: () => rm(cwd, { recursive: true, force: true }) };
});

describe("chunked-fs run log store", () => {
  let folder = "";
  let warnings: string[] = [];
  const open = (options: Partial<ChunkedFsStoreOptions> = {}) => createChunkedFsRunLogStore({ folder, warn: (message) => warnings.push(message), ...options });
  const runDir = (runId = "r1") => path.join(folder, runId);
  const files = async (runId = "r1") => (await readdir(runDir(runId))).filter((name) => !name.startsWith(".")).sort();
  const readJson = async (name: string, runId = "r1") => JSON.parse(await readFile(path.join(runDir(runId), name), "utf8"));
  const only = async (pattern: RegExp) => {
    const found = (await files()).filter((name) => pattern.test(name));
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), "chunked-run-log-"));
    warnings = [];
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("is a strict plug-in whose log_folder defaults to .run_log_store and is recorded as configured", async () => {
    const schema = chunkedFsRunLogStorePlugin.configSchema;
    expect(schema.parse({})).toEqual({ log_folder: ".run_log_store" });
    expect(schema.safeParse({ log_folder: "x", mount_path: "/" }).success).toBe(false);
    const context: PluginContext = { cwd: folder, env: {}, warn: () => undefined };
    const store = await chunkedFsRunLogStorePlugin.create(schema.parse({ log_folder: "logs" }), context);
    expect(store.type).toBe("chunked-fs");
    expect(store.recordedConfig).toEqual({ log_folder: "logs" });
    await store.create(sampleRunHeader("r1"));
    expect(await readdir(path.join(folder, "logs", "r1"))).toContain("RunLog.json");
  });

  it("uses runnable's layout: RunLog.json, Parameter-<key>.json, StepLog-/BranchLog-<name>-<time_ns>.json", async () => {
    const store = open();
    await store.create({ ...sampleRunHeader("r1"), parameters: { x: 1, xy: "ü", "a/b": [1] } });
    await store.putStep("r1", [], sampleStepLog("a", "map"));
    await store.putStep("r1", [], sampleStepLog("a-b"));
    await store.putBranch("r1", [["a", "a.c/d e"]], newBranchLog("a.c/d e"));
    const names = await files();
    const chunk = /^(StepLog|BranchLog)-(.*)-\d+\.json$/;
    expect(names.filter((name) => !chunk.test(name))).toEqual(["Parameter-a%2Fb.json", "Parameter-x.json", "Parameter-xy.json", "RunLog.json"]);
    const chunks = names.filter((name) => chunk.test(name)).map((name) => name.replace(/-\d+\.json$/, ""));
    expect(chunks).toEqual(["BranchLog-a.c%2Fd e", "StepLog-a", "StepLog-a-b"]);
    const header = await readJson("RunLog.json");
    expect(header).toMatchObject({ run_id: "r1", steps: {}, parameters: {}, status: "PROCESSING" });
    expect(Object.keys(header)).toEqual(["run_id", "dag_hash", "use_cached", "tag", "original_run_id", "status", "steps", "parameters", "run_config"]);
    expect(await readFile(path.join(runDir(), "Parameter-xy.json"), "utf8")).toBe('{\n    "xy": "\\u00fc"\n}');
    const step = await readJson(await only(/^StepLog-a-\d+\.json$/));
    expect(step).toMatchObject({ internal_name: "a", branches: {}, _location: [] });
    const branch = await readJson(await only(/^BranchLog-/));
    expect(branch).toEqual({ ...newBranchLog("a.c/d e"), _location: [["a", "a.c/d e"]] });
  });

  it("writes step and branch files as the shared run log writer does (4-space indent, non-ASCII escaped)", () => {
    const value = { ...sampleStepLog("ü é"), branches: {}, _location: [["m", "m.☃"]], n: [1, { a: null }], e: {}, l: [] };
    expect(chunkText(value)).toBe(toJsonText(value));
    expect(chunkText(value)).toContain('"internal_name": "\\u00fc \\u00e9"');
  });

  it("parses file names exactly: the time is the digits after the last dash", () => {
    expect(parseFileName("StepLog-a-b-12.json")).toEqual({ kind: "step", encodedName: "a-b", timeNs: 12n });
    expect(parseFileName("BranchLog-m.1-2-3.json")).toEqual({ kind: "branch", encodedName: "m.1-2", timeNs: 3n });
    expect(parseFileName("Parameter-x-1.json")).toEqual({ kind: "parameter", encodedName: "x-1" });
    expect(parseFileName(".StepLog-a-1.json.123.abc.tmp")).toBeUndefined();
    expect(parseFileName("StepLog-a.json")).toBeUndefined();
    expect(encodeName("a/b%c\\d\n")).toBe("a%2Fb%25c%5Cd%0A");
    const long = encodeName("x.".repeat(200));
    expect(Buffer.byteLength(long)).toBeLessThan(200);
    expect(long).not.toBe(encodeName(`${"x.".repeat(200)}y`));
  });

  it("writes an update as a new version of the step's file (constant cost); flush removes the version it replaced", async () => {
    let bytes: number[] = [];
    const store = open({ observeWrites: (_file, count) => bytes.push(count) });
    await store.create(sampleRunHeader("r1"));
    for (let i = 0; i < 300; i++) await store.putStep("r1", [], sampleStepLog(`step ${i}`), i);
    const before = await files();
    const first = await only(/^StepLog-step 0-\d+\.json$/);
    bytes = [];
    await store.putStep("r1", [], sampleStepLog("step 0", "task", "FAIL"), 0);
    await store.putStep("r1", [], sampleStepLog("step 0", "task", "SUCCESS"), 0);
    expect(bytes).toHaveLength(2);
    expect(bytes[0]).toBeLessThan(2000);
    const versions = (await files()).filter((name) => name.startsWith("StepLog-step 0-"));
    expect(versions).toHaveLength(3);
    for (const reader of [store, open()]) {
      const run = await reader.get("r1");
      expect(Object.keys(run.steps)[0]).toBe("step 0");
      expect(run.steps["step 0"]!.status).toBe("SUCCESS");
    }
    await store.flush("r1");
    const after = await files();
    expect(after).toHaveLength(before.length);
    expect(after).not.toContain(first);
    expect((await open().get("r1")).steps["step 0"]!.status).toBe("SUCCESS");
    // a later instance updates the newest version it finds
    await open().putStep("r1", [], sampleStepLog("step 0", "task", "FAIL"), 0);
    expect((await open().get("r1")).steps["step 0"]!.status).toBe("FAIL");
  });

  it("keeps a version another instance wrote later when flushing the versions it replaced", async () => {
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    const first = open();
    await first.create(sampleRunHeader("r1"));
    const late = open();
    await late.putStep("r1", [], sampleStepLog("other"), 9); // its index is the folder as it is now
    await first.putStep("r1", [], sampleStepLog("a", "task", "PROCESSING"), 0);
    const stale = open();
    await stale.putStep("r1", [], sampleStepLog("other", "task", "FAIL"), 9); // knows a's first version only
    await first.putStep("r1", [], sampleStepLog("a", "task", "PROCESSING"), 0);
    await first.putStep("r1", [], sampleStepLog("a", "task", "SUCCESS"), 0);
    await pause();
    // a later write from an instance that knew the first version goes after every version on disk
    await stale.putStep("r1", [], sampleStepLog("a", "task", "FAIL"), 0);
    await first.flush("r1");
    await stale.flush("r1");
    expect((await open().get("r1")).steps.a!.status).toBe("FAIL");
    await pause();
    // an instance that never saw `a` writes its first file again: newer than the versions after it
    await late.putStep("r1", [], { ...sampleStepLog("a", "task", "SUCCESS"), message: "late" }, 0);
    expect((await first.get("r1")).steps.a!.message).toBe("late"); // the read tells it every file's location
    await first.flush("r1");
    expect((await open().get("r1")).steps.a!.message).toBe("late");
    expect((await files()).filter((name) => name.startsWith("StepLog-a-"))).toHaveLength(2);
  });

  it("reads chunks written by runnable itself (no stored location), ordering by numeric time", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    const write = (name: string, value: unknown) => writeFile(path.join(runDir(), name), JSON.stringify(value));
    await write("StepLog-m-9.json", { ...sampleStepLog("m", "map"), branches: { stale: {} } });
    await write("BranchLog-m.1-10.json", newBranchLog("m.1"));
    await write("StepLog-m.1.t-11.json", sampleStepLog("m.1.t"));
    await write("StepLog-last-100.json", sampleStepLog("last"));
    const run = await store.get("r1");
    expect(Object.keys(run.steps)).toEqual(["m", "last"]);
    expect(Object.keys(run.steps.m!.branches)).toEqual(["m.1"]);
    expect(run.steps.m!.branches["m.1"]!.steps["m.1.t"]).toEqual(sampleStepLog("m.1.t"));
  });

  it("keeps two entities with one internal name at different places apart (map items with dots)", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    const outer: LogLocation = [["m", "m.a.b.c"]];
    const inner: LogLocation = [
      ["m", "m.a"],
      ["m.a.b", "m.a.b.c"],
    ];
    await store.putStep("r1", [], sampleStepLog("m", "map"));
    await store.putBranch("r1", outer, newBranchLog("m.a.b.c"));
    await store.putBranch("r1", [["m", "m.a"]], newBranchLog("m.a"));
    await store.putStep("r1", [["m", "m.a"]], sampleStepLog("m.a.b", "map"));
    await store.putBranch("r1", inner, newBranchLog("m.a.b.c"));
    await store.putBranch("r1", outer, { ...newBranchLog("m.a.b.c"), status: "SUCCESS" });
    const other = open();
    await other.putBranch("r1", inner, { ...newBranchLog("m.a.b.c"), status: "FAIL" });
    for (const flushed of [false, true]) {
      const run = await open().get("r1");
      expect(run.steps.m!.branches["m.a.b.c"]!.status).toBe("SUCCESS");
      expect(run.steps.m!.branches["m.a"]!.steps["m.a.b"]!.branches["m.a.b.c"]!.status).toBe("FAIL");
      if (!flushed) await Promise.all([store.flush("r1"), other.flush("r1")]);
    }
    // one file each once the writers flushed the versions they replaced
    expect((await files()).filter((name) => name.startsWith("BranchLog-m.a.b.c-"))).toHaveLength(2);
  });

  it("merges two files written for one step by instances that did not see each other", async () => {
    const first = open();
    const second = open();
    await first.create(sampleRunHeader("r1"));
    await second.putStep("r1", [], sampleStepLog("other"));
    await first.putStep("r1", [], sampleStepLog("dup", "task", "PROCESSING"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await second.putStep("r1", [], sampleStepLog("dup", "task", "SUCCESS"));
    const run = await open().get("r1");
    expect(Object.keys(run.steps)).toEqual(["other", "dup"]);
    expect(run.steps.dup!.status).toBe("SUCCESS");
  });

  it("leaves out a chunk whose parent is missing, with a warning", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    const orphan = { ...sampleStepLog("gone.b.s"), _location: [["gone", "gone.b"]] };
    await writeFile(path.join(runDir(), "StepLog-gone.b.s-5.json"), JSON.stringify(orphan));
    expect((await store.get("r1")).steps).toEqual({});
    expect(warnings.join("\n")).toContain("StepLog-gone.b.s-5.json");
  });

  it("reports corrupt files with RUN_LOG_CORRUPT naming the file", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    await store.putStep("r1", [], sampleStepLog("a"));
    const stepFile = await only(/^StepLog-a-/);
    await writeFile(path.join(runDir(), stepFile), JSON.stringify({ ...sampleStepLog("a"), status: "MAYBE" }));
    await expectCorrupt(store.get("r1"), stepFile);
    await writeFile(path.join(runDir(), stepFile), "{");
    await expectCorrupt(store.get("r1"), stepFile);
    await writeFile(path.join(runDir(), "RunLog.json"), "[]");
    await expectCorrupt(store.get("r1"), "RunLog.json");
    await expectCorrupt(store.setStatus("r1", "FAIL"), "RunLog.json");
  });

  it("lists runs from RunLog.json files only", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    await store.create({ ...sampleRunHeader("r2", null), tag: null });
    await store.setStatus("r2", "FAIL");
    await writeFile(path.join(folder, "stray.json"), "{}");
    await rm(path.join(runDir("r1"), "RunLog.json"));
    expect(await store.list()).toEqual([{ run_id: "r2", status: "FAIL", tag: null, pipeline_file: null, updated_ms: expect.any(Number) }]);
  });

  it("loses nothing when separate processes write one run at the same time", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    await store.putStep("r1", [], sampleStepLog("fan", "parallel"));
    const fixture = path.join(import.meta.dirname, "writer-process.fixture.ts");
    const run = (prefix: string) => promisify(execFile)(process.execPath, ["--import", "tsx", fixture, folder, "r1", prefix, "60"]);
    await Promise.all([run("p"), run("q"), run("s"), store.setParameters("r1", { from: "parent" })]);
    const result = await open().get("r1");
    const branches = result.steps.fan!.branches;
    expect(Object.keys(branches)).toHaveLength(180);
    for (const [key, branch] of Object.entries(branches)) {
      expect(branch).toMatchObject({ status: "SUCCESS", steps: { [`${key}.work`]: { status: "SUCCESS" } } });
    }
    expect(result.parameters).toEqual({ from: "parent" });
    expect(["SUCCESS", "PROCESSING"]).toContain(result.status);
  }, 120_000);
});

async function expectCorrupt(promise: Promise<unknown>, fileName: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isRunnableError(error, "RUN_LOG_CORRUPT"), String(error)).toBe(true);
  expect((error as Error).message).toContain(fileName);
}
