import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { folderChangeToken } from "../../plugins/run-log-store/file-system/change-token.js";
import { createFileSystemRunLogStore } from "../../plugins/run-log-store/file-system/file-system.js";
import type { RunLogStore } from "../../ports/run-log-store.js";
import { sampleRunHeader, sampleStepLog } from "../../testing/contracts/run-log-store.samples.js";
import { runDigests } from "./runs-digests.js";

// Issue 20: `runs list --sort` over 10,000 runs reuses the digest cache without listing the store
// while its change token holds, and still sees every added, changed and removed run.

describe("runDigests with a store change token", () => {
  let dir = "";
  beforeEach(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), "run-digests-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** The folder store, its listings counted, its token taken as if a minute had passed (no racy window). */
  function open(): { store: RunLogStore; lists: () => number } {
    const folder = path.join(dir, "runs");
    const real = createFileSystemRunLogStore({ folder });
    let lists = 0;
    const store: RunLogStore = {
      ...real,
      list: (options) => {
        lists++;
        return real.list(options);
      },
      changeToken: () => folderChangeToken(folder, Date.now() + 60_000),
    };
    return { store, lists: () => lists };
  }
  const options = () => ({ cwd: dir, env: { XDG_CACHE_HOME: path.join(dir, "cache") }, warn: (m: string) => expect.fail(m) });
  const ids = async (store: RunLogStore) => (await runDigests(store, options())).map((d) => `${d.run_id}:${d.status}${d.stale ? ":stale" : ""}`).sort();

  it("skips the listing while nothing changed and sees additions, changes and removals", async () => {
    const { store, lists } = open();
    for (const id of ["a", "b"]) {
      await store.create(sampleRunHeader(id));
      await store.setStatus(id, "SUCCESS");
      await store.flush(id);
    }
    expect(await ids(store)).toEqual(["a:SUCCESS", "b:SUCCESS"]);
    expect(lists()).toBe(1);
    expect(await ids(store)).toEqual(["a:SUCCESS", "b:SUCCESS"]);
    expect(lists()).toBe(1);
    await store.create(sampleRunHeader("c"));
    await store.setStatus("c", "FAIL");
    await store.flush("c");
    expect(await ids(store)).toEqual(["a:SUCCESS", "b:SUCCESS", "c:FAIL"]);
    await store.setStatus("a", "FAIL");
    expect(await ids(store)).toEqual(["a:FAIL", "b:SUCCESS", "c:FAIL"]);
    await store.delete("b");
    expect(await ids(store)).toEqual(["a:FAIL", "c:FAIL"]);
    const before = lists();
    expect(await ids(store)).toEqual(["a:FAIL", "c:FAIL"]);
    expect(lists()).toBe(before);
  });

  it("asks a PROCESSING run's lease whether it went stale, without listing", async () => {
    const { store, lists } = open();
    await store.create(sampleRunHeader("live"));
    await store.setStatus("live", "PROCESSING");
    await store.flush("live");
    expect(await ids(store)).toEqual(["live:PROCESSING"]);
    const stale: RunLogStore = { ...store, leaseState: async () => ({ state: "stale" }) as Awaited<ReturnType<RunLogStore["leaseState"]>> };
    expect(await ids(stale)).toEqual(["live:PROCESSING:stale"]);
    expect(lists()).toBe(1);
  });

  it("lists every time when the store has no change token", async () => {
    const { store, lists } = open();
    const { changeToken: _, ...plain } = store;
    await store.create(sampleRunHeader("a"));
    await ids(plain);
    await ids(plain);
    expect(lists()).toBe(2);
  });

  it("answers a listing that needs a few values from the compact index, equal to the full digests", async () => {
    const { store, lists } = open();
    for (const [id, score] of [
      ["a", 0.5],
      ["b", 0.25],
    ] as const) {
      await store.create(sampleRunHeader(id));
      await store.putStep(id, [], { ...sampleStepLog("train"), user_defined_metrics: { score } });
      await store.setStatus(id, "SUCCESS");
      await store.flush(id);
    }
    const needs = { metrics: ["score", "missing"], parameters: ["x"] };
    const full = await runDigests(store, options());
    const first = await runDigests(store, { ...options(), needs });
    const indexed = await runDigests(store, { ...options(), needs });
    expect(lists()).toBe(1);
    expect(indexed).toEqual(
      first.map((d) => ({ ...d, start_ms: null, end_ms: null, metric_stats: {}, step_count: 0, failed_steps: [], metric_how: {}, parameters: { x: 1 } })),
    );
    expect(indexed.map((d) => [d.run_id, d.metrics])).toEqual(full.map((d) => [d.run_id, { score: d.metrics["score"] }]));
    await store.setStatus("b", "FAIL");
    await store.flush("b");
    expect((await runDigests(store, { ...options(), needs })).map((d) => `${d.run_id}:${d.status}`).sort()).toEqual(["a:SUCCESS", "b:FAIL"]);
    expect(lists()).toBe(2);
  });
});
