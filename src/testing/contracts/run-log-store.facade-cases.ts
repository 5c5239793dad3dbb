import { expect, it } from "vitest";
import { isRunnableError } from "../../core/errors.js";
import { type BranchLog, newBranchLog } from "../../core/run-log.js";
import { validateRunId } from "../../core/run-id.js";
import type { RunLogStore } from "../../ports/run-log-store.js";
import { type RunLogStoreHarness, sampleRunConfig, sampleRunHeader, sampleStepLog } from "./run-log-store.samples.js";

const branch = (internalName: string, status: BranchLog["status"] = "PROCESSING"): BranchLog => ({ ...newBranchLog(internalName), status });

/** The error a promise rejects with (undefined when it resolves). */
async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string } | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error === undefined) return undefined;
  expect(isRunnableError(error), `expected a RunnableError, got ${String(error)}`).toBe(true);
  return error as { code: string; message: string };
}

/** Every method that addresses an existing run, called with `runId`. */
function addressing(store: RunLogStore, runId: string): [string, Promise<unknown>][] {
  return [
    ["get", store.get(runId)],
    ["setStatus", store.setStatus(runId, "FAIL")],
    ["setParameters", store.setParameters(runId, { x: 1 })],
    ["setRunConfig", store.setRunConfig(runId, sampleRunConfig(runId))],
    ["putStep", store.putStep(runId, [], sampleStepLog("a"))],
    ["putBranch", store.putBranch(runId, [["a", "a.b"]], branch("a.b"))],
    ["removeStep", store.removeStep(runId, [], "a")],
    ["delete", store.delete(runId)],
    ["flush", store.flush(runId)],
    ["acquireLease", store.acquireLease(runId)],
  ];
}

/**
 * The contract cases of the run log store façade (`createRunLogStore`): what every store does the same
 * way because it is done once, above the driver: malformed run ids, checks before writing, copies.
 */
export function facadeCases(current: () => RunLogStoreHarness): void {
  const store = (): RunLogStore => current().store;

  it("refuses malformed run ids before touching its storage, with one message from every method", async () => {
    for (const bad of ["../escape", "a/b c", ""]) {
      const problem = validateRunId(bad)!;
      const created = await failure(store().create(sampleRunHeader(bad)));
      expect(created).toMatchObject({ code: "INTERNAL", message: `Cannot create a run log: ${problem}` });
      expect(await store().exists(bad)).toBe(false);
      expect(await store().leaseState(bad)).toEqual({ state: "none" });
      const messages = new Set<string>();
      for (const [method, call] of addressing(store(), bad)) {
        const error = await failure(call);
        expect(error?.code, method).toBe("RUN_NOT_FOUND");
        messages.add(error!.message);
      }
      expect([...messages]).toHaveLength(1);
      expect([...messages][0]?.startsWith(`No run log with id "${bad}" in `)).toBe(true);
      expect([...messages][0]).toContain(problem);
    }
    expect(await store().list()).toEqual([]);
    const reopen = current().reopen;
    if (reopen) expect(await (await reopen()).list()).toEqual([]);
  });

  it("refuses what breaks the run log format or has no place, with the same messages in every store", async () => {
    await store().create(sampleRunHeader("run-1"));
    const step = sampleStepLog("s");
    step.attempts[0]!.start_time = "yesterday";
    const broken = await failure(store().putStep("run-1", [], step));
    expect(broken?.code).toBe("INTERNAL");
    expect(broken?.message).toContain('Run log "run-1": refusing to write a "step" update that breaks the run log format');
    const nowhere = await failure(store().putBranch("run-1", [], branch("nowhere")));
    expect(nowhere).toMatchObject({ code: "INTERNAL", message: 'Run log "run-1": cannot put branch log "nowhere": its location is empty' });
    expect((await store().get("run-1")).steps).toEqual({});
  });

  it("writes what the caller passed at the call, whatever the caller changes while the write is on its way", async () => {
    await store().create(sampleRunHeader("run-1"));
    const step = sampleStepLog("m", "map");
    const location: [string, string][] = [["m", "m.x"]];
    const parameters: Record<string, unknown> = { kept: [1, 2] };
    const config = sampleRunConfig("run-1", "first.yaml");
    const writes = [store().putStep("run-1", [], step, 0), store().setParameters("run-1", parameters), store().setRunConfig("run-1", config)];
    step.status = "FAIL";
    step.attempts[0]!.message = "changed";
    (parameters.kept as number[]).push(3);
    config.pipeline_file = "changed.yaml";
    await Promise.all(writes);
    const inBranch = store().putBranch("run-1", location, branch("m.x"), 0);
    location[0]![1] = "m.changed";
    await inBranch;
    const run = await store().get("run-1");
    expect(run.steps.m).toEqual({ ...sampleStepLog("m", "map"), branches: { "m.x": { ...branch("m.x"), steps: {} } } });
    expect(run.parameters).toEqual({ kept: [1, 2] });
    expect(run.run_config.pipeline_file).toBe("first.yaml");
  });
}
