import { execFile } from "node:child_process";
import { appendFile, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRunnableError } from "../../../core/errors.js";
import { newBranchLog } from "../../../core/run-log.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { runLogStoreContract, sampleRunHeader, sampleStepLog } from "../../../testing/contracts/run-log-store.contract.js";
import { type FileSystemStoreOptions, createFileSystemRunLogStore } from "./file-system.js";
import { fileSystemRunLogStorePlugin } from "./index.js";
import { summaryFromText } from "./list-runs.js";
import { holdLeaseInChild } from "../shared/spawn-lease-holder.fixture.js";

async function harness(options: Partial<FileSystemStoreOptions> = {}) {
  const folder = await mkdtemp(path.join(os.tmpdir(), "fs-run-log-"));
  const open = () => createFileSystemRunLogStore({ folder, ...options });
  return {
    store: open(),
    reopen: async () => open(),
    holdLeaseElsewhere: (runId: string) => holdLeaseInChild("file-system", folder, runId),
    cleanup: () => rm(folder, { recursive: true, force: true }),
  };
}

const everything = { sharedStorage: true, leasesAcrossProcesses: true };
runLogStoreContract("file-system", () => harness(), everything);
runLogStoreContract("file-system (compacting all the time)", () => harness({ compactMinBytes: 0 }), everything);
runLogStoreContract("file-system (plug-in, relative log_folder)", async () => {
  const cwd = await mkdtemp(path.join(os.tmpdir(), "fs-run-log-cwd-"));
  const context: PluginContext = { cwd, env: {}, warn: () => undefined };
  const open = () => fileSystemRunLogStorePlugin.create(fileSystemRunLogStorePlugin.configSchema.parse({}), context);
  return { store: await open(), reopen: open, cleanup: () => rm(cwd, { recursive: true, force: true }) };
});

describe("file-system run log store", () => {
  let folder = "";
  let warnings: string[] = [];
  const open = (options: Partial<FileSystemStoreOptions> = {}) =>
    createFileSystemRunLogStore({ folder, warn: (message) => warnings.push(message), ...options });
  const file = (name: string) => path.join(folder, name);

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), "fs-run-log-"));
    warnings = [];
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("is a strict plug-in whose log_folder defaults to .run_log_store under the working directory", async () => {
    const schema = fileSystemRunLogStorePlugin.configSchema;
    expect(schema.parse({})).toEqual({ log_folder: ".run_log_store" });
    expect(schema.safeParse({ log_folder: "x", other: 1 }).success).toBe(false);
    const context: PluginContext = { cwd: folder, env: {}, warn: () => undefined };
    const store = await fileSystemRunLogStorePlugin.create(schema.parse({}), context);
    expect(store.type).toBe("file-system");
    expect(store.recordedConfig).toEqual({ log_folder: ".run_log_store" });
    await store.create(sampleRunHeader("r1"));
    expect((await stat(path.join(folder, ".run_log_store", "r1.json"))).isFile()).toBe(true);
  });

  it("writes <run_id>.json as runnable does (4-space indent, ASCII escapes) and folds the journal in on flush", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    await store.putStep("r1", [], sampleStepLog("step 1"));
    await store.flush("r1");
    const text = await readFile(file("r1.json"), "utf8");
    expect(text).toBe(JSON.stringify(await store.get("r1"), null, 4).replace(/[\u0080-\uffff]/g, escapeChar));
    expect(text).toContain('"greeting": "gr\\u00fc\\u00df dich \\u2713"');
    expect(text).not.toMatch(/[^\x00-\x7f]/);
    // issue 19: a flushed run leaves no empty journal behind
    await expect(stat(file("r1.journal.jsonl"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("hands the run a flush wrote to the next get, once, and only while the files are unchanged", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    await store.putStep("r1", [], sampleStepLog("a"));
    await store.flush("r1");
    const first = await store.get("r1");
    expect(first).toEqual(JSON.parse(await readFile(file("r1.json"), "utf8")));
    first.status = "FAIL"; // the caller owns what it got: the next read comes from the files
    expect((await store.get("r1")).status).not.toBe("FAIL");

    await store.putStep("r1", [], sampleStepLog("b"));
    await store.flush("r1");
    // Another writer changes the run between the flush and the read: the read sees the change.
    await open().putStep("r1", [], sampleStepLog("c"));
    expect(Object.keys((await store.get("r1")).steps)).toEqual(["a", "b", "c"]);
  });

  it("appends one JSON line per update and compacts when the journal outgrows the snapshot", async () => {
    const store = open({ compactMinBytes: 0 });
    await store.create(sampleRunHeader("r1"));
    await store.setStatus("r1", "FAIL");
    const line = JSON.parse((await readFile(file("r1.journal.jsonl"), "utf8")).trim());
    expect(line).toEqual({ op: "status", location: [], payload: "FAIL" });
    for (let i = 0; i < 40; i++) {
      await store.putStep("r1", [], sampleStepLog(`s${i}`));
      const [snapshot, journal] = await Promise.all([stat(file("r1.json")), stat(file("r1.journal.jsonl"))]);
      expect(journal.size).toBeLessThanOrEqual(snapshot.size + 2000);
    }
    const snapshot = JSON.parse(await readFile(file("r1.json"), "utf8"));
    expect(Object.keys(snapshot.steps).length).toBeGreaterThan(20);
  });

  it("writes O(n) bytes for n step updates, not O(n^2)", async () => {
    let bytes = 0;
    const store = open({ observeWrites: (_file, count) => (bytes += count) });
    await store.create(sampleRunHeader("r1"));
    for (let i = 0; i < 2000; i++) await store.putStep("r1", [], sampleStepLog(`step ${i}`));
    await store.flush("r1");
    const finalSize = (await stat(file("r1.json"))).size;
    // Rewriting the file on every update would write about 1000 times the final size.
    expect(bytes).toBeLessThan(6 * finalSize);
    expect(Object.keys((await open().get("r1")).steps)).toHaveLength(2000);
  }, 120_000);

  it("ignores a torn last journal line and reads it once the rest of the line arrives", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    await store.putStep("r1", [], sampleStepLog("a"));
    const full = `${JSON.stringify({ op: "status", location: [], payload: "SUCCESS" })}\n`;
    await appendFile(file("r1.journal.jsonl"), full.slice(0, 20));
    expect((await open().get("r1")).status).toBe("PROCESSING");
    expect(Object.keys((await store.get("r1")).steps)).toEqual(["a"]);
    await appendFile(file("r1.journal.jsonl"), full.slice(20));
    expect((await store.get("r1")).status).toBe("SUCCESS");
    expect((await open().get("r1")).status).toBe("SUCCESS");
  });

  it("recovers the next update written after a torn line left by a crashed writer", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    await appendFile(file("r1.journal.jsonl"), '{"op":"step","location":[],"payload":{"na');
    await open().putStep("r1", [], sampleStepLog("after crash"));
    await open().setStatus("r1", "SUCCESS");
    const run = await open().get("r1");
    expect(Object.keys(run.steps)).toEqual(["after crash"]);
    expect(run.status).toBe("SUCCESS");
    expect(warnings).toEqual([]);
  });

  it("reads a snapshot plus any prefix of its journal (a crash at any byte)", async () => {
    const store = open({ compactMinBytes: 1e9 });
    await store.create(sampleRunHeader("r1"));
    const keys = ["a", "b", "c", "d", "e"];
    for (const key of keys) await store.putStep("r1", [], sampleStepLog(key));
    const journal = await readFile(file("r1.journal.jsonl"));
    for (let cut = 0; cut <= journal.length; cut += 97) {
      await writeFile(file("r1.journal.jsonl"), journal.subarray(0, cut));
      const steps = Object.keys((await open().get("r1")).steps);
      expect(keys.slice(0, steps.length)).toEqual(steps);
    }
  });

  it("finishes a compaction that died after rotating the journal", async () => {
    const store = open({ compactMinBytes: 1e9 });
    await store.create(sampleRunHeader("r1"));
    await store.putStep("r1", [], sampleStepLog("a"));
    await rename(file("r1.journal.jsonl"), file("r1.journal.old.jsonl"));
    await writeFile(file("r1.lock"), JSON.stringify({ pid: 999_999_999, host: os.hostname(), token: "dead" }));
    await open().putStep("r1", [], sampleStepLog("b"));
    expect(Object.keys((await open().get("r1")).steps)).toEqual(["a", "b"]);
    await open().flush("r1");
    expect(await readdir(folder)).toEqual(["r1.json"]);
    expect(Object.keys(JSON.parse(await readFile(file("r1.json"), "utf8")).steps)).toEqual(["a", "b"]);
  });

  it("reports a corrupt snapshot or journal line with RUN_LOG_CORRUPT naming the file", async () => {
    await open().create(sampleRunHeader("r1"));
    await appendFile(file("r1.journal.jsonl"), '{"op":"status","location":[],"payload":"WEIRD"}\n');
    await expectCorrupt(open().get("r1"), "r1.journal.jsonl", "payload");
    await writeFile(file("r1.journal.jsonl"), "");
    await writeFile(file("r1.json"), "{ not json");
    await expectCorrupt(open().get("r1"), "r1.json", "invalid JSON");
    await writeFile(file("r1.json"), JSON.stringify({ ...sampleRunHeader("r1"), steps: {}, status: "DONE" }));
    await expectCorrupt(open().get("r1"), "r1.json", "status");
  });

  it("lists runs reading only the head and tail of each file, with journal updates applied", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    await store.putStep("r1", [], { ...sampleStepLog("big"), message: "x".repeat(400_000) });
    await store.flush("r1");
    await store.setStatus("r1", "FAIL");
    await writeFile(file("plain.json"), JSON.stringify({ ...sampleRunHeader("plain", null), steps: {} }));
    await writeFile(file("broken.json"), "{");
    await writeFile(file("notes.txt"), "not a run");
    const listed = await store.list();
    expect(listed.map((run) => [run.run_id, run.status, run.pipeline_file])).toEqual(
      expect.arrayContaining([
        ["r1", "FAIL", "pipeline.yaml"],
        ["plain", "PROCESSING", null],
      ]),
    );
    expect(listed).toHaveLength(2);
    expect(warnings.join("\n")).toContain("broken");
  });

  it("finds summary fields by position only in runnable's layout", () => {
    const text = JSON.stringify({ ...sampleRunHeader("r1"), steps: {} }, null, 4);
    expect(summaryFromText(text, text)).toEqual({ status: "PROCESSING", tag: "contract", pipeline_file: "pipeline.yaml" });
    expect(summaryFromText(JSON.stringify({ ...sampleRunHeader("r1"), steps: {} }), "")).toBeUndefined();
  });

  it("rejects run ids that are not safe file names", async () => {
    const store = open();
    await expect(store.create(sampleRunHeader("../escape"))).rejects.toSatisfy(isRunnableError);
    expect(await store.exists("../escape")).toBe(false);
    await expect(store.get("a/b")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
  });

  it("starts a re-created run clean even when an old journal was left behind", async () => {
    const store = open();
    await store.create(sampleRunHeader("r1"));
    await store.putStep("r1", [], sampleStepLog("old"));
    await rm(file("r1.json"));
    const fresh = open();
    await fresh.create(sampleRunHeader("r1"));
    expect((await fresh.get("r1")).steps).toEqual({});
  });

  it("loses nothing when separate processes write one run at the same time", async () => {
    const store = open({ compactMinBytes: 0 });
    await store.create(sampleRunHeader("r1"));
    await store.putStep("r1", [], sampleStepLog("fan", "parallel"));
    const fixture = path.join(import.meta.dirname, "writer-process.fixture.ts");
    const run = (prefix: string) => promisify(execFile)(process.execPath, ["--import", "tsx", fixture, folder, "r1", prefix, "60", "2000"]);
    await Promise.all([run("p"), run("q"), run("rflush"), store.setStatus("r1", "SUCCESS")]);
    const result = await open().get("r1");
    const branches = result.steps.fan!.branches;
    expect(Object.keys(branches)).toHaveLength(180);
    for (const [key, branch] of Object.entries(branches)) {
      expect(branch).toMatchObject({ ...newBranchLog(key), status: "SUCCESS", steps: { [`${key}.work`]: { status: "SUCCESS" } } });
    }
    expect(result.status).toBe("SUCCESS");
  }, 120_000);
});

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

async function expectCorrupt(promise: Promise<unknown>, fileName: string, mention: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isRunnableError(error, "RUN_LOG_CORRUPT"), String(error)).toBe(true);
  expect((error as Error).message).toContain(fileName);
  expect((error as Error).message).toContain(mention);
}
