import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { isRunnableError } from "../../core/errors.js";
import { type BranchLog, newBranchLog } from "../../core/run-log.js";
import type { RunLogStore } from "../../ports/run-log-store.js";
import { type RunLogStoreCapabilities, type RunLogStoreHarness, sampleRunHeader, sampleStepLog } from "./run-log-store.samples.js";

const branch = (internalName: string, status: BranchLog["status"] = "PROCESSING"): BranchLog => ({ ...newBranchLog(internalName), status });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return isRunnableError(error) ? error.code : error === undefined ? undefined : `not a RunnableError: ${String(error)}`;
}

/**
 * The contract cases of durable runs: order from the engine's `seq`, removal of step logs, and leases
 * (one live holder; a dead holder's lease is stale and can be taken over).
 */
export function durableCases(current: () => RunLogStoreHarness, capabilities: RunLogStoreCapabilities): void {
  const store = (): RunLogStore => current().store;
  const noSharing = "the store keeps its data in one process (no second instance can open it)";

  it("orders steps and branches by the engine's seq, whatever order the writes arrive in", async () => {
    await store().create(sampleRunHeader("run-1"));
    for (const [key, seq] of [
      ["c", 2],
      ["a", 0],
      ["b", 1],
    ] as const)
      await store().putStep("run-1", [], sampleStepLog(key, "map"), seq);
    for (const [key, seq] of [
      ["a.2", 2],
      ["a.10", 10],
      ["a.0", 0],
      ["a.1", 1],
    ] as const)
      await store().putBranch("run-1", [["a", key]], branch(key), seq);
    await store().putStep("run-1", [], sampleStepLog("a", "map", "SUCCESS"), 0);
    const run = await store().get("run-1");
    expect(Object.keys(run.steps)).toEqual(["a", "b", "c"]);
    expect(Object.keys(run.steps.a!.branches)).toEqual(["a.0", "a.1", "a.2", "a.10"]);
    expect(run.steps.a!.status).toBe("SUCCESS");
  });

  it.skipIf(!capabilities.sharedStorage)("agrees on the engine's order when two instances write siblings out of order", async () => {
    const other = await current().reopen!();
    await store().create(sampleRunHeader("run-1"));
    await store().putStep("run-1", [], sampleStepLog("m", "map"), 0);
    await other.putBranch("run-1", [["m", "m.y"]], branch("m.y"), 1);
    await store().putBranch("run-1", [["m", "m.x"]], branch("m.x"), 0);
    await other.putStep("run-1", [["m", "m.y"]], sampleStepLog("m.y.second"), 1);
    await store().putStep("run-1", [["m", "m.y"]], sampleStepLog("m.y.first"), 0);
    for (const reader of [store(), other, await current().reopen!()]) {
      const run = await reader.get("run-1");
      expect(Object.keys(run.steps.m!.branches)).toEqual(["m.x", "m.y"]);
      expect(Object.keys(run.steps.m!.branches["m.y"]!.steps)).toEqual(["m.y.first", "m.y.second"]);
    }
  });

  it("removes a step log, at the top and inside a branch; removing a missing one is fine", async () => {
    await store().create(sampleRunHeader("run-1"));
    await store().putStep("run-1", [], sampleStepLog("a"), 0);
    await store().putStep("run-1", [], sampleStepLog("fail", "fail"), 1);
    await store().putStep("run-1", [], sampleStepLog("m", "map"), 2);
    await store().putBranch("run-1", [["m", "m.x"]], branch("m.x"), 0);
    await store().putStep("run-1", [["m", "m.x"]], sampleStepLog("m.x.fail", "fail"), 0);
    await store().removeStep("run-1", [], "fail");
    await store().removeStep("run-1", [["m", "m.x"]], "m.x.fail");
    await store().removeStep("run-1", [], "never-written");
    await store().flush("run-1");
    const run = await store().get("run-1");
    expect(Object.keys(run.steps)).toEqual(["a", "m"]);
    expect(run.steps.m!.branches["m.x"]!.steps).toEqual({});
    if (capabilities.sharedStorage) expect(Object.keys((await (await current().reopen!()).get("run-1")).steps)).toEqual(["a", "m"]);
  });

  it("gives a run's lease to one holder at a time and frees it on release", async () => {
    expect((await store().leaseState("run-1")).state).toBe("none");
    const lease = await store().acquireLease("run-1");
    const state = await store().leaseState("run-1");
    expect(state).toMatchObject({ state: "live", owner: { pid: expect.any(Number), host: expect.any(String) } });
    expect(await codeOf(store().acquireLease("run-1"))).toBe("RUN_BUSY");
    await lease.renew();
    await lease.release();
    await lease.release();
    expect((await store().leaseState("run-1")).state).toBe("none");
    const again = await store().acquireLease("run-1");
    await again.release();
  });

  it.skipIf(!capabilities.sharedStorage)("refuses the lease to another instance while it is held", async () => {
    const lease = await store().acquireLease("run-1");
    const other = await current().reopen!();
    expect(await codeOf(other.acquireLease("run-1"))).toBe("RUN_BUSY");
    expect((await other.leaseState("run-1")).state).toBe("live");
    await lease.release();
    await (await other.acquireLease("run-1")).release();
  });

  it.skipIf(!capabilities.leasesAcrossProcesses)(
    "sees a lease whose holder was killed as stale, marks the run stale in the list, and lets it be taken over",
    async () => {
      await store().create(sampleRunHeader("run-1"));
      const holder = await current().holdLeaseElsewhere!("run-1");
      expect((await store().leaseState("run-1")).state).toBe("live");
      expect(await codeOf(store().acquireLease("run-1"))).toBe("RUN_BUSY");
      process.kill(holder.pid, "SIGKILL");
      await waitFor(async () => (await store().leaseState("run-1")).state === "stale");
      expect((await store().list()).find((run) => run.run_id === "run-1")).toMatchObject({ status: "PROCESSING", stale: true });
      const lease = await store().acquireLease("run-1");
      expect((await store().leaseState("run-1")).state).toBe("live");
      expect((await store().list()).find((run) => run.run_id === "run-1")?.stale).toBeFalsy();
      await lease.release();
    },
  );

  if (!capabilities.sharedStorage) it.skip(`shared-storage cases: ${noSharing}`, () => undefined);
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(50);
  }
}
