import { describe, expect, it } from "vitest";
import type { RunLogStoreDriver, RunOp } from "../../../ports/run-log-store.js";
import { sampleRunHeader, sampleStepLog } from "../../../testing/contracts/run-log-store.samples.js";
import { createBufferedDriver } from "../buffered/buffered.js";
import { createRunLogStore } from "./run-log-store-facade.js";

/** The buffered driver with every call recorded (and, optionally, without its own `exists`/`flush`). */
function recording(overrides: Partial<RunLogStoreDriver> & { bare?: boolean } = {}) {
  const { bare, ...rest } = overrides;
  const inner = createBufferedDriver();
  const calls: string[] = [];
  const applied: RunOp[][] = [];
  /** `call`, recorded by its name and first argument. */
  const logged =
    <A extends [unknown, ...unknown[]], R>(name: string, call: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(`${name} ${typeof args[0] === "string" ? args[0] : (args[0] as { run_id: string }).run_id}`);
      return call(...args);
    };
  const driver: RunLogStoreDriver = {
    ...inner,
    where: "the test driver",
    create: logged("create", inner.create),
    apply: logged("apply", (runId: string, ops: readonly RunOp[]) => {
      applied.push([...ops]);
      return inner.apply(runId, ops);
    }),
    read: logged("read", inner.read),
    exists: bare ? undefined : logged("exists", inner.exists!),
    remove: logged("remove", inner.remove),
    acquireLease: logged("acquireLease", inner.acquireLease),
    leaseState: logged("leaseState", inner.leaseState),
    ...rest,
  };
  return { driver, calls, applied, store: createRunLogStore(driver) };
}

describe("run log store façade", () => {
  it("passes the driver's type, recorded config and traits through", () => {
    const { store, driver } = recording();
    expect(store.type).toBe("buffered");
    expect(store.recordedConfig).toBe(driver.recordedConfig);
    expect(store.traits).toBe(driver.traits);
  });

  it("never calls the driver for a malformed run id", async () => {
    const { store, calls } = recording();
    await expect(store.create(sampleRunHeader("a/b"))).rejects.toMatchObject({ code: "INTERNAL" });
    expect(await store.exists("a/b")).toBe(false);
    expect(await store.leaseState("a/b")).toEqual({ state: "none" });
    await expect(store.get("a/b")).rejects.toThrow('No run log with id "a/b" in the test driver: run id "a/b" contains "/"');
    await expect(store.setStatus("a/b", "FAIL")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    await expect(store.acquireLease("a/b")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    await expect(store.delete("a/b")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    expect(calls).toEqual([]);
  });

  it("checks payloads before the driver sees them, and builds one op per write", async () => {
    const { store, calls, applied } = recording();
    await store.create(sampleRunHeader("r1"));
    await expect(store.setStatus("r1", "DONE" as "FAIL")).rejects.toMatchObject({ code: "INTERNAL" });
    await expect(store.putBranch("r1", [], { internal_name: "b", status: "PROCESSING", steps: {} })).rejects.toThrow("its location is empty");
    expect(calls).toEqual(["create r1"]);
    await store.putStep("r1", [], { ...sampleStepLog("s"), branches: { ignored: { internal_name: "ignored", status: "FAIL", steps: {} } } }, 3);
    await store.removeStep("r1", [], "s");
    expect(applied).toEqual([[{ op: "step", location: [], payload: sampleStepLog("s"), seq: 3 }], [{ op: "remove", location: [], payload: "s" }]]);
  });

  it("copies ops for a driver that reads them later, and hands the caller's objects to one that reads them at once", async () => {
    const parameters = { x: 1 };
    const later = recording();
    await later.store.create(sampleRunHeader("r1"));
    await later.store.setParameters("r1", parameters);
    expect(later.applied[0]?.[0]?.payload).toEqual(parameters);
    expect(later.applied[0]?.[0]?.payload).not.toBe(parameters);
    const atOnce = recording({ readsOpsAtOnce: true });
    await atOnce.store.create(sampleRunHeader("r1"));
    await atOnce.store.setParameters("r1", parameters);
    expect(atOnce.applied[0]?.[0]?.payload).toBe(parameters);
  });

  it("answers RUN_NOT_FOUND naming the driver's place for what the driver did not find", async () => {
    const { store } = recording();
    for (const call of [store.get("nope-1"), store.delete("nope-1"), store.flush("nope-1")]) {
      await expect(call).rejects.toMatchObject({ code: "RUN_NOT_FOUND", message: 'No run log with id "nope-1" in the test driver' });
    }
  });

  it("finds runs through read and flushes by checking the run when the driver has no exists or flush", async () => {
    const { store, calls } = recording({ bare: true });
    await store.create(sampleRunHeader("r1"));
    expect(await store.exists("r1")).toBe(true);
    expect(await store.exists("r2")).toBe(false);
    await store.flush("r1");
    await expect(store.flush("r2")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    expect(calls).toEqual(["create r1", "read r1", "read r2", "read r1", "read r2"]);
  });

  it("uses the driver's flush, and its false as RUN_NOT_FOUND", async () => {
    const flushed: string[] = [];
    const flush = async (runId: string): Promise<boolean> => {
      flushed.push(runId);
      return runId === "r1";
    };
    const { store } = recording({ flush });
    await store.flush("r1");
    await expect(store.flush("r2")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    expect(flushed).toEqual(["r1", "r2"]);
  });
});
