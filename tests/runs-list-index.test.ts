import { readdir, utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createFileSystemRunLogStore } from "../src/plugins/run-log-store/file-system/file-system.js";
import { sampleRunHeader, sampleStepLog } from "../src/testing/contracts/run-log-store.samples.js";
import { runCli, scratchDir } from "./helpers/cli.js";

/**
 * Issue 20 (`runs list --sort` over 10,000 runs): through the real command, a listing of an unchanged
 * store is answered from the compact digest index and says what the full listing said; a run added
 * later shows up. The folder's times are set back a minute each time so the store's change token is
 * trusted at once (it is not within 2 s of a change).
 */

const cleanups: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(cleanups.map((cleanup) => cleanup())));

async function addRun(folder: string, id: string, score: number): Promise<void> {
  const store = createFileSystemRunLogStore({ folder });
  await store.create(sampleRunHeader(id));
  await store.putStep(id, [], { ...sampleStepLog("train"), user_defined_metrics: { score } });
  await store.setStatus(id, "SUCCESS");
  await store.flush(id);
  const old = Date.now() / 1000 - 60;
  await utimes(folder, old, old);
}

it("lists from the compact index what the full listing said, and sees a run added later", async () => {
  const { dir, cleanup } = await scratchDir();
  cleanups.push(cleanup);
  const folder = join(dir, ".run_log_store");
  const env = { XDG_CACHE_HOME: join(dir, "cache"), NO_COLOR: "1" };
  for (const [id, score] of [
    ["r1", 0.3],
    ["r2", 0.1],
    ["r3", 0.2],
  ] as const)
    await addRun(folder, id, score);
  const list = async (...args: string[]) => {
    const result = await runCli(["runs", "list", "--sort", "score", ...args], { cwd: dir, env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return result.stdout;
  };
  const first = await list("--limit", "2");
  expect(
    first
      .split("\n")
      .slice(1, 3)
      .map((line) => line.split(/\s+/)[0]),
  ).toEqual(["r1", "r3"]);
  expect((await readdir(join(dir, "cache", "runnable-ts", "run-digests"))).some((name) => name.endsWith(".index.json"))).toBe(true);
  expect(await list("--limit", "2")).toBe(first);
  expect(await list("--filter", "score<0.25", "--sort", "score:asc")).toMatch(/^RUN ID.*\nr2 .*\nr3 /);
  await addRun(folder, "r4", 0.9);
  expect((await list("--limit", "1")).split("\n")[1]).toMatch(/^r4 /);
});
