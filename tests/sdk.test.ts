import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { isRunnableError } from "../src/core/errors.js";
import { MetricSeries } from "../src/core/metrics.js";
import { taskContextStorage } from "../src/ports/task-context.js";
import {
  getExperimentTrackerContext,
  getFromCatalog,
  getParameter,
  getRunId,
  getRunLog,
  getSecret,
  getTag,
  pipeline,
  putInCatalog,
  setParameter,
  shell,
  stub,
  track,
  typescript,
} from "../src/sdk/index.js";
import { execFile } from "node:child_process";
import { REPO, scratchDir } from "./helpers/cli.js";

let cwd: string;
beforeAll(async () => (cwd = await mkdtemp(join(tmpdir(), "runnable-sdk-"))));
afterAll(() => rm(cwd, { recursive: true, force: true }));
const quiet = () => ({ cwd, env: {}, warn: () => {} });

describe("SDK pipelines", () => {
  it("links steps in list order and runs them, returning the run log", async () => {
    const log = await pipeline({
      steps: [
        shell({ name: "a", command: "export RUNNABLE_PRM_x=2" }),
        typescript({ name: "b", function: ({ x }: { x: number }) => ({ y: x * 21 }) }),
        stub({ name: "c" }),
      ],
    }).execute(quiet());
    expect(log.status).toBe("SUCCESS");
    expect(Object.keys(log.steps)).toEqual(["a", "b", "c", "success"]);
    expect(log.parameters).toEqual({ x: 2, y: 42 });
    expect(log.run_config.dag.start_at).toBe("a");
  });

  it("follows explicit next and onFailure links", async () => {
    const recover = stub({ name: "recover" });
    const log = await pipeline({
      steps: [shell({ name: "first", command: "exit 3", onFailure: recover, next: "never" }), stub({ name: "never", next: recover }), recover],
    }).execute(quiet());
    expect(Object.fromEntries(Object.entries(log.steps).map(([k, v]) => [k, v.status]))).toEqual({ first: "FAIL", recover: "SUCCESS", success: "SUCCESS" });
  });

  it("throws RUN_FAILED with the run log when the run fails (or returns it when asked)", async () => {
    const failing = pipeline({ steps: [shell({ name: "boom", command: "exit 1" })] });
    const error = await failing.execute(quiet()).catch((e: unknown) => e);
    expect(isRunnableError(error, "RUN_FAILED")).toBe(true);
    expect((error as { runLog: { status: string } }).runLog.status).toBe("FAIL");
    expect((await failing.execute({ ...quiet(), throwOnFailure: false })).status).toBe("FAIL");
  });

  it("rejects duplicate step names", () => {
    expect(() => pipeline({ steps: [stub({ name: "a" }), stub({ name: "a" })] }).toDag()).toThrow(/duplicate step name "a"/);
  });

  it("ends with fail when asked", async () => {
    const log = await pipeline({ steps: [stub({ name: "a", terminateWith: "fail" })] }).execute({ ...quiet(), throwOnFailure: false });
    expect(log.status).toBe("FAIL");
  });

  it("runs from a plain script with pipeline.execute()", async () => {
    const { dir, cleanup } = await scratchDir();
    try {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [join(REPO, "node_modules/tsx/dist/cli.mjs"), "examples/typescript/script.ts"], { cwd: dir }, (e, stdout, stderr) =>
          e ? reject(new Error(stderr)) : resolve(stdout),
        ),
      );
      expect(out).toMatch(/: SUCCESS, shouted=WORLD/);
    } finally {
      await cleanup();
    }
  });
});

describe("the in-task API", () => {
  it("gives a clear NOT_IN_TASK error outside a run", async () => {
    const calls: Array<() => unknown> = [
      () => track({ a: 1 }),
      () => getParameter("a"),
      () => setParameter({ a: 1 }),
      () => getRunId(),
      () => getTag(),
      () => getRunLog(),
      () => getFromCatalog("x"),
      () => putInCatalog("x"),
      () => getSecret("x"),
      () => getExperimentTrackerContext(),
    ];
    for (const call of calls) {
      let error: unknown;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      expect(isRunnableError(error, "NOT_IN_TASK")).toBe(true);
      expect((error as Error).message).toMatch(/can only be called inside a running task/);
    }
  });

  it("keeps concurrent tasks apart and validates parameters with zod", async () => {
    const seen: Record<string, unknown> = {};
    const worker = (name: string, delay: number) => async () => {
      const value = getParameter("who", z.string());
      await new Promise((r) => setTimeout(r, delay));
      track({ me: name });
      setParameter({ [`done_${name}`]: value });
      seen[name] = getRunId();
    };
    const log = await pipeline({
      steps: [
        shell({ name: "init", command: "export RUNNABLE_PRM_who=everyone" }),
        typescript({ name: "slow", function: worker("slow", 20) }),
        typescript({ name: "fast", function: worker("fast", 1) }),
      ],
    }).execute(quiet());
    expect(log.steps.slow!.user_defined_metrics).toEqual({ me: "slow" });
    expect(log.steps.fast!.user_defined_metrics).toEqual({ me: "fast" });
    expect(log.parameters).toMatchObject({ done_slow: "everyone", done_fast: "everyone" });
    expect(seen.slow).toBe(log.run_id);
  });

  it("isolates tracking between contexts running at the same time", async () => {
    const storage = taskContextStorage();
    const make = (name: string) => ({
      runId: "r",
      tag: "",
      stepName: name,
      internalName: name,
      attempt: 1,
      mapVariable: [],
      parameters: {},
      changed: {},
      metrics: new MetricSeries(),
      services: {} as never,
      signal: new AbortController().signal,
      log: () => {},
    });
    const a = make("a");
    const b = make("b");
    await Promise.all([
      storage.run(a, async () => {
        for (let i = 0; i < 50; i++) {
          track({ v: i }, i);
          await Promise.resolve();
        }
      }),
      storage.run(b, async () => {
        for (let i = 0; i < 50; i++) {
          track({ w: i });
          await Promise.resolve();
        }
      }),
    ]);
    expect([...a.metrics].map((p) => p.key)).toEqual(Array(50).fill("v"));
    expect([...b.metrics].map((p) => p.key)).toEqual(["w"]);
    expect(a.metrics.size).toBe(50);
  });

  it("rejects a bad step and records toJSON values as JSON", async () => {
    const log = await pipeline({
      steps: [typescript({ name: "t", function: () => track({ when: new Date(0), big: 10n as unknown as number }) })],
    }).execute(quiet());
    expect(log.steps.t!.user_defined_metrics).toEqual({ when: "1970-01-01T00:00:00.000Z", big: "10" });
    // issue 11 item 8: NaN is never stored silently as "NaN" (nor as null)
    const nan = await pipeline({ steps: [typescript({ name: "t", function: () => track({ nan: Number.NaN }) })] }).execute({
      ...quiet(),
      throwOnFailure: false,
    });
    expect(nan.steps.t!.attempts[0]!.message).toMatch(/metric "nan" is NaN; metrics are stored as JSON/);
    const bad = await pipeline({ steps: [typescript({ name: "t", function: () => track({ a: 1 }, -1) })] }).execute({ ...quiet(), throwOnFailure: false });
    expect(bad.steps.t!.attempts[0]!.message).toMatch(/step must be a non-negative integer/);
  });
});
