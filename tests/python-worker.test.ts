// Python steps of a run share warm workers (issue 14): serial steps one interpreter, concurrent map
// items separate ones, and every worker ends with the run.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { map, pipeline, task } from "../src/sdk/index.js";
import { processAlive as alive } from "../src/io/process-alive.js";

const MODULE = [
  "import os, time",
  "def note(item=None):",
  "    with open('pids.txt', 'a') as handle:",
  "        handle.write(f'{os.getpid()}\\n')",
  "    time.sleep(0.2 if item is not None else 0)",
  "    return {'last': item}",
].join("\n");

describe("python steps on warm workers, through the engine", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "runnable-pyworker-"));
    await writeFile(join(dir, "wnote.py"), `${MODULE}\n`);
    await writeFile(join(dir, "parallel.yaml"), "executor:\n  type: local\n  config:\n    enable_parallel: true\n    max_parallel: 2\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const pids = async () => (await readFile(join(dir, "pids.txt"), "utf8")).trim().split("\n").map(Number);

  it("runs a chain on one interpreter and ends it with the run", async () => {
    await rm(join(dir, "pids.txt"), { force: true });
    const steps = Array.from({ length: 5 }, (_, i) => task({ name: `step ${i}`, command: "wnote.note", commandType: "python" }));
    const log = await pipeline({ name: "chain", steps }).execute({ cwd: dir, env: process.env, warn: () => {} });
    expect(log.status).toBe("SUCCESS");
    const seen = await pids();
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(1);
    expect(alive(seen[0]!)).toBe(false);
  });

  it("gives concurrent map items separate workers, at most max_parallel, all ended with the run", async () => {
    await rm(join(dir, "pids.txt"), { force: true });
    const branch = pipeline({ name: "item", steps: [task({ name: "note", command: "wnote.note", commandType: "python" })] });
    const steps = [map({ name: "items", iterateOn: "items", iterateAs: "item", branch })];
    const env = { ...process.env, RUNNABLE_PRM_items: "[1, 2, 3, 4, 5, 6]" };
    const log = await pipeline({ name: "fan", steps }).execute({ cwd: dir, env, configFile: join(dir, "parallel.yaml"), warn: () => {} });
    expect(log.status).toBe("SUCCESS");
    const seen = await pids();
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(2);
    for (const pid of seen) expect(alive(pid)).toBe(false);
  });
});
