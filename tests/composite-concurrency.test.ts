// Branches running at once: the executor's limit, isolation of in-process TypeScript tasks, every run
// log store under 200 concurrent branches through the engine, and run log growth that stays linear.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunLog } from "../src/core/run-log.js";
import { runPipeline } from "../src/engine/run-pipeline.js";
import { createFileSystemRunLogStore } from "../src/plugins/run-log-store/file-system/file-system.js";
import type { RunLogStore } from "../src/ports/run-log-store.js";
import { prepare } from "../src/runtime/prepare.js";
import { serialiseGraph } from "../src/definition/serialise.js";
import { getParameter, map, parallel, pipeline, setParameter, shell, stub, track, typescript, type Pipeline } from "../src/sdk/index.js";
import { contractErrors } from "./helpers/cli.js";
import { inScratch } from "./helpers/composite.js";

const parallelConfig = (max: number, store = "buffered") => ({
  executor: { type: "local", config: { enable_parallel: true, max_parallel: max } },
  run_log_store: { type: store },
  catalog: { type: "do-nothing" },
});

const listStep = (items: unknown[]) => typescript({ name: "list", function: () => ({ items }) });
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("branches run concurrently up to the executor's limit", () => {
  it("runs 8 branches of `sleep 0.5` with max_parallel 8 all at once", async () => {
    await inScratch(parallelConfig(8), async (options) => {
      // Each branch records when its sleep started and ended; all 8 overlapping shows they ran together
      // (not a speed check: a loaded machine only makes each sleep longer).
      const command = 'echo "$(date +%s%N) $(sleep 0.5; date +%s%N)" > "span-$RUNNABLE_PRM_i"';
      const branch = pipeline({ steps: [shell({ name: "sleep", command })] });
      const log = await pipeline({ steps: [listStep(range(8)), map({ name: "m", iterateOn: "items", iterateAs: "i", branch })] }).execute(options);
      expect(log.status).toBe("SUCCESS");
      expect(Object.keys(log.steps.m!.branches)).toHaveLength(8);
      const spans = await Promise.all(range(8).map(async (i) => (await readFile(join(options.cwd!, `span-${i}`), "utf8")).trim().split(" ").map(Number)));
      // Nanoseconds as numbers: a quarter-microsecond of rounding against half-second sleeps.
      const latestStart = Math.max(...spans.map(([start]) => start!));
      const earliestEnd = Math.min(...spans.map(([, end]) => end!));
      expect(latestStart < earliestEnd, "every branch's sleep overlaps every other's").toBe(true);
    });
  });

  it("never runs more task steps at once than max_parallel, however deeply composites nest", async () => {
    let running = 0;
    let most = 0;
    const work = async (): Promise<void> => {
      most = Math.max(most, ++running);
      await pause(15);
      running--;
    };
    await inScratch(parallelConfig(3), async (options) => {
      const leaf = pipeline({ steps: [typescript({ name: "work", function: work })] });
      const inner = pipeline({ steps: [parallel({ name: "p", branches: { a: leaf, b: leaf, c: leaf } })] });
      const log = await pipeline({ steps: [listStep(range(4)), map({ name: "m", iterateOn: "items", iterateAs: "i", branch: inner })] }).execute(options);
      expect(log.status).toBe("SUCCESS");
    });
    expect(most).toBe(3);
  });

  it("gives each in-process TypeScript task only its own branch's parameters and metrics", async () => {
    const isolated = async ({ item }: { item: number }): Promise<Record<string, unknown>> => {
      await pause((item * 7) % 13);
      track({ item });
      setParameter({ doubled: item * 2 });
      await pause((item * 5) % 11);
      if (getParameter<number>("item") !== item || getParameter<number>("doubled") !== item * 2) throw new Error(`saw another branch's parameters`);
      return { tripled: item * 3 };
    };
    await inScratch(parallelConfig(30), async (options) => {
      const branch = pipeline({ steps: [typescript({ name: "own", function: isolated })] });
      const log = await pipeline({ steps: [listStep(range(30)), map({ name: "m", iterateOn: "items", iterateAs: "item", branch })] }).execute(options);
      expect(log.parameters.doubled).toEqual(range(30).map((i) => i * 2));
      expect(log.parameters.tripled).toEqual(range(30).map((i) => i * 3));
      for (const i of range(30)) {
        const branchLog = log.steps.m!.branches[`m.${i}`]!;
        expect(branchLog.steps[`m.${i}.own`]!.user_defined_metrics).toEqual({ item: i });
        expect(branchLog.parameters).toEqual({ item: i, doubled: i * 2, tripled: i * 3 });
      }
    });
  });
});

/** A branch with a task and a nested parallel: five step logs and three branch logs per item. */
const busyBranch = (): Pipeline => {
  const jittery = typescript({
    name: "work",
    function: async ({ item }: { item: number }) => {
      await pause(item % 7);
      track({ item });
      return { value: item };
    },
  });
  const side = pipeline({ steps: [stub({ name: "touch" })] });
  return pipeline({ steps: [jittery, parallel({ name: "sides", branches: { left: side, right: side } })] });
};

describe.each(["buffered", "file-system", "chunked-fs"])("the %s store through the engine", (store) => {
  it("loses no step or branch log with 200 concurrent branches", async () => {
    await inScratch(parallelConfig(200, store), async (options, reopen) => {
      const built = pipeline({ steps: [listStep(range(200)), map({ name: "m", iterateOn: "items", iterateAs: "item", branch: busyBranch() })] });
      const log = await built.execute(options);
      const read = store === "buffered" ? log : await reopen(log.run_id);
      for (const run of [log, read]) {
        expect(run.status).toBe("SUCCESS");
        expect(run.parameters.value).toEqual(range(200));
        expect(await contractErrors(run)).toEqual([]);
        expectAllBranches(run, 200);
      }
    });
  });
});

function expectAllBranches(run: RunLog, count: number): void {
  const branches = run.steps.m!.branches;
  expect(Object.keys(branches)).toEqual(range(count).map((i) => `m.${i}`));
  for (const i of range(count)) {
    const branch = branches[`m.${i}`]!;
    expect(branch.status).toBe("SUCCESS");
    expect(Object.keys(branch.steps)).toEqual([`m.${i}.work`, `m.${i}.sides`, `m.${i}.success`]);
    expect(branch.steps[`m.${i}.work`]!.user_defined_metrics).toEqual({ item: i });
    const sides = branch.steps[`m.${i}.sides`]!;
    expect(Object.values(sides.branches).map((b) => [b.internal_name, b.status, Object.keys(b.steps).length])).toEqual([
      [`m.${i}.sides.left`, "SUCCESS", 2],
      [`m.${i}.sides.right`, "SUCCESS", 2],
    ]);
  }
}

describe("a map's cost grows linearly with its items", () => {
  /** Runs a map of no-op TypeScript tasks on an observed file-system store; returns bytes and store calls. */
  async function measure(items: number): Promise<{ bytes: number; calls: number }> {
    const dir = await mkdtemp(join(tmpdir(), "runnable-linear-"));
    try {
      await writeFile(join(dir, "config.yaml"), JSON.stringify({ catalog: { type: "do-nothing" }, run_log_store: { type: "file-system" } }));
      const noop = pipeline({ steps: [typescript({ name: "noop", function: () => undefined })] });
      const { graph } = pipeline({ steps: [listStep(range(items)), map({ name: "m", iterateOn: "items", iterateAs: "item", branch: noop })] }).build();
      const source = { kind: "graph" as const, graph, serialised: serialiseGraph(graph), name: "linear", file: null };
      const { plan, services } = await prepare({ kind: "execute", source, cwd: dir, env: {}, configFile: join(dir, "config.yaml"), warn: () => undefined });
      let bytes = 0;
      const store = createFileSystemRunLogStore({ folder: join(dir, ".run_log_store"), observeWrites: (_file, n) => (bytes += n) });
      const counted = countCalls(store);
      const result = await runPipeline(plan, { ...services, runLogStore: counted.store });
      expect(result.status).toBe("SUCCESS");
      return { bytes, calls: counted.calls() };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it("writes O(items) bytes and makes a constant number of store writes per item", async () => {
    const small = await measure(200);
    const large = await measure(2000);
    // 10x the items: about 10x the bytes (journal compaction and longer names add a little); O(n^2) would be ~100x.
    expect(large.bytes / small.bytes).toBeLessThan(15);
    // Per item: branch log at fan-out and at its end, the task and the success step once each (quick steps are written once).
    expect((large.calls - small.calls) / 1800).toBeLessThanOrEqual(4);
  });
});

function countCalls(store: RunLogStore): { store: RunLogStore; calls: () => number } {
  let calls = 0;
  const counted: RunLogStore = {
    ...store,
    putStep: (...args) => {
      calls++;
      return store.putStep(...args);
    },
    putBranch: (...args) => {
      calls++;
      return store.putBranch(...args);
    },
  };
  return { store: counted, calls: () => calls };
}
