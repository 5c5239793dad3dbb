import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import Ajv2020 from "ajv/dist/2020.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRunnableError } from "../../core/errors.js";
import { type BranchLog, type LogLocation, type RunLog, newBranchLog } from "../../core/run-log.js";
import type { RunHeader, RunLogStore } from "../../ports/run-log-store.js";
import { durableCases } from "./run-log-store.durable.js";
import { facadeCases } from "./run-log-store.facade-cases.js";
import {
  type RunLogStoreCapabilities,
  type RunLogStoreHarness,
  contractSchemaPath,
  sampleRunConfig,
  sampleRunHeader,
  sampleStepLog,
} from "./run-log-store.samples.js";

export { type RunLogStoreCapabilities, type RunLogStoreHarness, contractSchemaPath, sampleRunConfig, sampleRunHeader, sampleStepLog };

const branch = (internalName: string, status: BranchLog["status"] = "PROCESSING"): BranchLog => ({
  ...newBranchLog(internalName),
  status,
});

type RunLogCheck = (run: RunLog) => void;

/** A check of run logs against the run log contract (`contracts/run-log.schema.json`, shipped with the package). */
function schemaCheck(): RunLogCheck {
  let validate: (((value: unknown) => boolean) & { errors?: unknown }) | undefined;
  return (run) => {
    if (!validate) {
      const file = contractSchemaPath();
      const ajv = new Ajv2020.default({ strict: false, allErrors: true });
      validate = ajv.compile(JSON.parse(readFileSync(file, "utf8")) as object);
    }
    const valid = validate(run);
    expect(valid ? [] : validate.errors).toEqual([]);
  };
}

async function expectCode(promise: Promise<unknown>, code: string, ...mentions: string[]): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isRunnableError(error), `expected a RunnableError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  for (const text of mentions) expect((error as Error).message).toContain(text);
}

// Three levels: map "m" (item "a.b" and "c/d") > parallel "p" > map "inner" (item "x y").
const M_AB: LogLocation = [["m", "m.a.b"]];
const P_LEFT: LogLocation = [...M_AB, ["m.a.b.p", "m.a.b.p.left"]];
const INNER_XY: LogLocation = [...P_LEFT, ["m.a.b.p.left.inner", "m.a.b.p.left.inner.x y"]];

async function writeNested(store: RunLogStore, runId: string): Promise<void> {
  await store.putStep(runId, [], sampleStepLog("first"));
  await store.putStep(runId, [], sampleStepLog("m", "map", "PROCESSING"));
  await store.putBranch(runId, M_AB, branch("m.a.b"));
  await store.putBranch(runId, [["m", "m.c/d"]], branch("m.c/d"));
  await store.putStep(runId, M_AB, sampleStepLog("m.a.b.p", "parallel", "PROCESSING"));
  await store.putBranch(runId, P_LEFT, branch("m.a.b.p.left"));
  await store.putStep(runId, P_LEFT, sampleStepLog("m.a.b.p.left.inner", "map", "PROCESSING"));
  await store.putBranch(runId, INNER_XY, branch("m.a.b.p.left.inner.x y"));
  await store.putStep(runId, INNER_XY, sampleStepLog("m.a.b.p.left.inner.x y.task 1"));
  await store.putStep(runId, [["m", "m.c/d"]], sampleStepLog("m.c/d.p", "parallel"));
}

function expectNested(run: RunLog, expectValidRunLog: RunLogCheck): void {
  expect(Object.keys(run.steps)).toEqual(["first", "m"]);
  const map = run.steps.m!;
  expect(Object.keys(map.branches)).toEqual(["m.a.b", "m.c/d"]);
  const parallel = map.branches["m.a.b"]!.steps["m.a.b.p"]!;
  const inner = parallel.branches["m.a.b.p.left"]!.steps["m.a.b.p.left.inner"]!;
  const leaf = inner.branches["m.a.b.p.left.inner.x y"]!.steps["m.a.b.p.left.inner.x y.task 1"]!;
  expect(leaf).toEqual(sampleStepLog("m.a.b.p.left.inner.x y.task 1"));
  expect(map.branches["m.c/d"]!.steps["m.c/d.p"]!.step_type).toBe("parallel");
  expectValidRunLog(run);
}

/**
 * The promises every RunLogStore keeps, as a vitest suite. `makeStore` builds a store over fresh,
 * empty storage; what the store can do beyond the basics is declared in `capabilities` (cases needing
 * more are skipped, saying why).
 */
export function runLogStoreContract(
  name: string,
  makeStore: () => Promise<RunLogStoreHarness>,
  capabilities: RunLogStoreCapabilities = { sharedStorage: true, leasesAcrossProcesses: false },
): void {
  describe(`RunLogStore contract: ${name}`, () => {
    const expectValidRunLog = schemaCheck();
    let harness: RunLogStoreHarness;
    let store: RunLogStore;

    beforeEach(async () => {
      harness = await makeStore();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it("creates a run, finds it and reads it back with runnable's field order", async () => {
      expect(await store.exists("run-1")).toBe(false);
      await store.create(sampleRunHeader("run-1"));
      expect(await store.exists("run-1")).toBe(true);
      const run = await store.get("run-1");
      expect(run).toEqual({ ...sampleRunHeader("run-1"), steps: {} });
      expect(Object.keys(run)).toEqual(Object.keys({ ...sampleRunHeader("run-1"), steps: {} }).sort(byRunnableOrder));
      expectValidRunLog(run);
      expect(typeof store.type).toBe("string");
      expect(typeof store.recordedConfig).toBe("object");
    });

    it("refuses to create an existing run with RUN_EXISTS", async () => {
      await store.create(sampleRunHeader("run-1"));
      await expectCode(store.create(sampleRunHeader("run-1")), "RUN_EXISTS", "run-1");
    });

    it("reports a missing run with RUN_NOT_FOUND naming it", async () => {
      await expectCode(store.get("nope-1"), "RUN_NOT_FOUND", "nope-1");
      await expectCode(store.setStatus("nope-1", "FAIL"), "RUN_NOT_FOUND", "nope-1");
      await expectCode(store.setParameters("nope-1", {}), "RUN_NOT_FOUND", "nope-1");
      await expectCode(store.putStep("nope-1", [], sampleStepLog("a")), "RUN_NOT_FOUND", "nope-1");
      await expectCode(store.flush("nope-1"), "RUN_NOT_FOUND", "nope-1");
    });

    it("updates status, replaces parameters and run_config", async () => {
      await store.create(sampleRunHeader("run-1"));
      await store.setStatus("run-1", "SUCCESS");
      await store.setParameters("run-1", { y: [1, 2], "a.b": { deep: "ü" }, xy: null });
      const config = { ...sampleRunConfig("run-1", "other.yaml"), extra_field: { kept: true } };
      await store.setRunConfig("run-1", config);
      const run = await store.get("run-1");
      expect(run.status).toBe("SUCCESS");
      expect(run.parameters).toEqual({ y: [1, 2], "a.b": { deep: "ü" }, xy: null });
      expect(run.run_config).toEqual(config);
      expectValidRunLog(run);
    });

    it("keeps the kinds of non-JSON parameters beside the parameters, and clears them with {}", async () => {
      await store.create(sampleRunHeader("run-1"));
      await store.setParameters("run-1", { df: "df", score: 0.9, x: 1 }, { df: "object", score: "metric" });
      const run = await store.get("run-1");
      expect(run.parameters).toEqual({ df: "df", score: 0.9, x: 1 });
      expect(run.parameter_kinds).toEqual({ df: "object", score: "metric" });
      expectValidRunLog(run);
      await store.setParameters("run-1", { x: 2 });
      expect((await store.get("run-1")).parameter_kinds).toEqual({ df: "object", score: "metric" });
      await store.setParameters("run-1", { x: 3 }, {});
      const cleared = await store.get("run-1");
      expect([cleared.parameters, "parameter_kinds" in cleared]).toEqual([{ x: 3 }, false]);
      await expectCode(store.setParameters("run-1", {}, { x: "pickle" as never }), "INTERNAL");
    });

    it("nests steps and branches three levels deep (map > parallel > map) with dots, spaces and slashes in keys", async () => {
      await store.create(sampleRunHeader("run-1"));
      await writeNested(store, "run-1");
      expectNested(await store.get("run-1"), expectValidRunLog);
    });

    it("keeps branches when a step is replaced and steps when a branch is replaced", async () => {
      await store.create(sampleRunHeader("run-1"));
      await writeNested(store, "run-1");
      const replaced = { ...sampleStepLog("m", "map", "SUCCESS"), branches: { bogus: branch("bogus") } };
      await store.putStep("run-1", [], replaced);
      await store.putBranch("run-1", M_AB, { ...branch("m.a.b", "SUCCESS"), steps: { bogus: sampleStepLog("bogus") } });
      const run = await store.get("run-1");
      expect(run.steps.m!.status).toBe("SUCCESS");
      expect(Object.keys(run.steps.m!.branches)).toEqual(["m.a.b", "m.c/d"]);
      expect(run.steps.m!.branches["m.a.b"]!.status).toBe("SUCCESS");
      expect(Object.keys(run.steps.m!.branches["m.a.b"]!.steps)).toEqual(["m.a.b.p"]);
      expectNested(run, expectValidRunLog);
    });

    it("keeps steps and branches in the order of their first write", async () => {
      await store.create(sampleRunHeader("run-1"));
      for (const key of ["z", "a", "a-b", "m", "1x"]) await store.putStep("run-1", [], sampleStepLog(key, "parallel"));
      await store.putStep("run-1", [], sampleStepLog("z", "parallel", "FAIL"));
      for (const key of ["z.2", "z.10", "z.1"]) await store.putBranch("run-1", [["z", key]], branch(key));
      await store.putBranch("run-1", [["z", "z.2"]], branch("z.2", "SUCCESS"));
      const run = await store.get("run-1");
      expect(Object.keys(run.steps)).toEqual(["z", "a", "a-b", "m", "1x"]);
      expect(run.steps.z!.status).toBe("FAIL");
      expect(Object.keys(run.steps.z!.branches)).toEqual(["z.2", "z.10", "z.1"]);
    });

    it("refuses a step or branch whose parent does not exist", async () => {
      await store.create(sampleRunHeader("run-1"));
      await expect(store.putStep("run-1", [["ghost", "ghost.b"]], sampleStepLog("ghost.b.s"))).rejects.toSatisfy(isRunnableError);
      await expect(store.putBranch("run-1", [["ghost", "ghost.b"]], branch("ghost.b"))).rejects.toSatisfy(isRunnableError);
      await expect(store.putBranch("run-1", [], branch("nowhere"))).rejects.toSatisfy(isRunnableError);
      expect((await store.get("run-1")).steps).toEqual({});
    });

    it("refuses to write what breaks the run log format, before writing anything", async () => {
      const broken = { ...sampleRunHeader("bad-1"), run_config: { run_id: "bad-1" } } as unknown as RunHeader;
      await expect(store.create(broken)).rejects.toSatisfy(isRunnableError);
      expect(await store.exists("bad-1")).toBe(false);
      await store.create(sampleRunHeader("run-1"));
      const step = sampleStepLog("s");
      step.attempts[0]!.start_time = "yesterday";
      await expect(store.putStep("run-1", [], step)).rejects.toSatisfy(isRunnableError);
      await expect(store.setStatus("run-1", "DONE" as RunLog["status"])).rejects.toSatisfy(isRunnableError);
      const run = await store.get("run-1");
      expect(run.steps).toEqual({});
      expect(run.status).toBe("PROCESSING");
    });

    it("keeps parameter keys and step names that are prefixes of each other apart", async () => {
      await store.create(sampleRunHeader("run-1"));
      await store.setParameters("run-1", { x: 1, xy: 2, "x-1": 3 });
      await store.setParameters("run-1", { x: 10, xy: 2, "x-1": 3 });
      for (const key of ["a", "a-b", "a-b-1"]) await store.putStep("run-1", [], sampleStepLog(key));
      await store.putStep("run-1", [], sampleStepLog("a", "task", "FAIL"));
      const run = await store.get("run-1");
      expect(run.parameters).toEqual({ x: 10, xy: 2, "x-1": 3 });
      expect(Object.keys(run.steps)).toEqual(["a", "a-b", "a-b-1"]);
      expect(run.steps.a!.status).toBe("FAIL");
      expect(run.steps["a-b"]!.status).toBe("SUCCESS");
    });

    it("hands out copies: later changes to written or read objects do not leak in", async () => {
      await store.create(sampleRunHeader("run-1"));
      const step = sampleStepLog("s");
      await store.putStep("run-1", [], step);
      step.status = "FAIL";
      step.attempts[0]!.message = "changed";
      const first = await store.get("run-1");
      first.steps.s!.status = "CREATED";
      first.parameters.x = 99;
      const second = await store.get("run-1");
      expect(second.steps.s).toEqual(sampleStepLog("s"));
      expect(second.parameters.x).toBe(1);
    });

    it("keeps everything readable after flush, and accepts writes after it", async () => {
      await store.create(sampleRunHeader("run-1"));
      await writeNested(store, "run-1");
      await store.flush("run-1");
      expectNested(await store.get("run-1"), expectValidRunLog);
      await store.setStatus("run-1", "FAIL");
      await store.flush("run-1");
      expect((await store.get("run-1")).status).toBe("FAIL");
    });

    it("lists runs with status, tag and pipeline file, most recently changed first", async () => {
      await store.create(sampleRunHeader("older-1"));
      await sleep(30);
      await store.create({ ...sampleRunHeader("newer-1", null), tag: null });
      expect((await store.list()).map((run) => run.run_id)).toEqual(["newer-1", "older-1"]);
      await sleep(30);
      await store.setStatus("older-1", "SUCCESS");
      const listed = await store.list();
      expect(listed.map((run) => run.run_id)).toEqual(["older-1", "newer-1"]);
      expect(listed[0]).toMatchObject({ status: "SUCCESS", tag: "contract", pipeline_file: "pipeline.yaml" });
      expect(listed[1]).toMatchObject({ status: "PROCESSING", tag: null, pipeline_file: null });
    });

    it("deletes a run with everything in it, keeps the others and frees its id", async () => {
      await store.create(sampleRunHeader("gone-1"));
      await writeNested(store, "gone-1");
      await store.create(sampleRunHeader("kept-1"));
      await store.flush("gone-1");
      const freed = await store.delete("gone-1");
      expect(freed.freedBytes).toBeGreaterThan(0);
      expect(await store.exists("gone-1")).toBe(false);
      await expectCode(store.get("gone-1"), "RUN_NOT_FOUND", "gone-1");
      await expectCode(store.delete("gone-1"), "RUN_NOT_FOUND", "gone-1");
      expect((await store.list()).map((run) => run.run_id)).toEqual(["kept-1"]);
      if (harness.reopen) expect(await (await harness.reopen()).exists("gone-1")).toBe(false);
      await store.create(sampleRunHeader("gone-1"));
      expect(await store.get("gone-1")).toEqual({ ...sampleRunHeader("gone-1"), steps: {} });
    });

    it.skipIf(!capabilities.sharedStorage)("lets a fresh instance see everything written, before and after flush", async () => {
      await store.create(sampleRunHeader("run-1"));
      await writeNested(store, "run-1");
      await store.setParameters("run-1", { final: true });
      const expected = await store.get("run-1");
      expect(await (await harness.reopen!()).get("run-1")).toEqual(expected);
      await store.flush("run-1");
      const fresh = await harness.reopen!();
      expect(await fresh.get("run-1")).toEqual(expected);
      expectNested(await fresh.get("run-1"), expectValidRunLog);
      expect(await fresh.exists("run-1")).toBe(true);
    });

    it("loses nothing with 200 concurrent writers plus concurrent status and parameter writes", async () => {
      await store.create(sampleRunHeader("busy-1"));
      await store.putStep("busy-1", [], sampleStepLog("fan", "parallel", "PROCESSING"));
      await Promise.all([...fanOutWriters(() => store, 200), ...runWriters(store, 20)]);
      await store.setStatus("busy-1", "SUCCESS");
      await store.setParameters("busy-1", { done: true });
      expectFannedOut(await store.get("busy-1"), 200, expectValidRunLog);
      await store.flush("busy-1");
      expectFannedOut(await store.get("busy-1"), 200, expectValidRunLog);
      if (harness.reopen) expectFannedOut(await (await harness.reopen()).get("busy-1"), 200, expectValidRunLog);
    });

    it.skipIf(!capabilities.sharedStorage)("loses nothing when two instances write one run concurrently", async () => {
      const other = await harness.reopen!();
      await store.create(sampleRunHeader("busy-1"));
      await store.putStep("busy-1", [], sampleStepLog("fan", "parallel", "PROCESSING"));
      await Promise.all([...fanOutWriters((i) => (i % 2 ? other : store), 200), ...runWriters(other, 10)]);
      await other.setStatus("busy-1", "SUCCESS");
      await store.setParameters("busy-1", { done: true });
      expectFannedOut(await store.get("busy-1"), 200, expectValidRunLog);
      expectFannedOut(await other.get("busy-1"), 200, expectValidRunLog);
      await Promise.all([store.flush("busy-1"), other.flush("busy-1")]);
      expectFannedOut(await (await harness.reopen!()).get("busy-1"), 200, expectValidRunLog);
    });

    durableCases(() => harness, capabilities);
    facadeCases(() => harness);
  });
}

const RUNNABLE_ORDER = ["run_id", "dag_hash", "use_cached", "tag", "original_run_id", "status", "steps", "parameters", "run_config"];
const byRunnableOrder = (a: string, b: string): number => RUNNABLE_ORDER.indexOf(a) - RUNNABLE_ORDER.indexOf(b);

function fanOutWriters(storeFor: (index: number) => RunLogStore, count: number): Promise<void>[] {
  return Array.from({ length: count }, async (_, i) => {
    const key = `fan.b${i}`;
    const where: LogLocation = [["fan", key]];
    await storeFor(i).putBranch("busy-1", where, branch(key));
    await storeFor(i).putStep("busy-1", where, sampleStepLog(`${key}.work`));
    await storeFor(i).putBranch("busy-1", where, branch(key, "SUCCESS"));
  });
}

function runWriters(store: RunLogStore, count: number): Promise<void>[] {
  return Array.from({ length: count }, (_, i) => (i % 2 ? store.setStatus("busy-1", "PROCESSING") : store.setParameters("busy-1", { round: i })));
}

function expectFannedOut(run: RunLog, count: number, expectValidRunLog: RunLogCheck): void {
  const branches = run.steps.fan!.branches;
  expect(Object.keys(branches)).toHaveLength(count);
  for (let i = 0; i < count; i++) {
    const key = `fan.b${i}`;
    expect(branches[key]?.status).toBe("SUCCESS");
    expect(branches[key]?.steps[`${key}.work`]).toEqual(sampleStepLog(`${key}.work`));
  }
  expect(run.status).toBe("SUCCESS");
  expect(run.parameters).toEqual({ done: true });
  expectValidRunLog(run);
}
