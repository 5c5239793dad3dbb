import { describe, expect, it } from "vitest";
import type { TaskNode } from "../../../core/graph.js";
import type { ProcessSpec } from "../../../ports/task-runner.js";
import type { RemoteStep } from "../../../ports/executor.js";
import { emulatorExecutorPlugin } from "./index.js";

const create = (config: Record<string, unknown>, env: Record<string, string> = {}) =>
  emulatorExecutorPlugin.create(emulatorExecutorPlugin.configSchema.parse(config), { cwd: "/work", env, warn: () => undefined });

const node = { kind: "task", name: "hello python", internalName: "hello python" } as TaskNode;

function step(started: ProcessSpec[], pipelineFile: string | null): RemoteStep {
  const spawn = async (spec: ProcessSpec) => {
    started.push(spec);
    return { code: 0, signal: null };
  };
  return {
    runId: "run-1",
    node,
    mapVariable: [["chunk", 2]],
    pipelineFile,
    configFile: "emulate.yaml",
    parametersFile: null,
    tag: "",
    cwd: "/work",
    output: { write: () => undefined },
    signal: new AbortController().signal,
    spawn: async () => Promise.reject(new Error("the emulator's steps are stopped with the step: spawnStopped")),
    spawnStopped: spawn,
    graceMs: 100,
  };
}

describe("emulator executor (runnable 0.50)", () => {
  it("launches each task step as runnable execute-single-node on this machine, and runs it in place inside that process", async () => {
    const launcher = await create({}, { HOME: "/home/u" });
    expect(launcher.capabilities).toEqual({ placement: "launched", retryByRelaunch: false, memoryStore: false, runsWrittenPipeline: true });
    expect(launcher.maxParallel).toBe(1);
    const started: ProcessSpec[] = [];
    expect(await launcher.launchStep!(step(started, "pipeline.yaml"))).toEqual({ exitCode: 0 });
    expect(started[0]!.args.slice(-9)).toEqual([
      "execute-single-node",
      "run-1",
      "hello%python",
      "--file",
      "pipeline.yaml",
      "--map-variable",
      '{"chunk":2}',
      "--config-file",
      "emulate.yaml",
    ]);
    expect(started[0]!.env).toEqual({ HOME: "/home/u", RUNNABLE_EMULATED_STEP: "1" });
    expect(started[0]!.cwd).toBe("/work");

    const inStep = await create({}, { RUNNABLE_EMULATED_STEP: "1" });
    expect(inStep.capabilities).toEqual({ placement: "in-process", retryByRelaunch: false, memoryStore: false, underLauncher: true });
    expect(inStep.launchStep).toBeUndefined();
  });

  it("says why a step cannot be launched without a pipeline file, and takes only 0.50's keys", async () => {
    const launcher = await create({});
    expect((await launcher.launchStep!(step([], null))).problem).toMatch(/reads the pipeline from a file, and this run has none/);
    expect(emulatorExecutorPlugin.configSchema.safeParse({ overrides: {} }).success).toBe(true);
    expect(emulatorExecutorPlugin.configSchema.safeParse({ enable_parallel: true }).success).toBe(false);
  });
});
