import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { localExecutorPlugin } from "./index.js";

const create = async (config: Record<string, unknown>) => {
  const warnings: string[] = [];
  const executor = await localExecutorPlugin.create(localExecutorPlugin.configSchema.parse(config), {
    cwd: "/",
    env: {},
    warn: (message) => warnings.push(message),
  });
  return { executor, warnings };
};

describe("local executor", () => {
  it("runs one step at a time unless enable_parallel is set", async () => {
    const { executor, warnings } = await create({});
    expect(executor.maxParallel).toBe(1);
    expect(executor.recordedConfig).toEqual({ enable_parallel: false, overrides: {} });
    expect(warnings).toEqual([]);
  });

  it("runs up to max_parallel at once, the number of cores by default", async () => {
    expect((await create({ enable_parallel: true, max_parallel: 8 })).executor.maxParallel).toBe(8);
    expect((await create({ enable_parallel: true })).executor.maxParallel).toBe(availableParallelism());
    expect((await create({ enable_parallel: true, max_parallel: 8 })).executor.recordedConfig).toEqual({
      enable_parallel: true,
      max_parallel: 8,
      overrides: {},
    });
  });

  it("warns when max_parallel is given without enable_parallel, and rejects bad values", async () => {
    const { executor, warnings } = await create({ max_parallel: 4 });
    expect(executor.maxParallel).toBe(1);
    expect(warnings).toEqual(["executor local: max_parallel 4 has no effect without enable_parallel: true (steps run one at a time)"]);
    expect(localExecutorPlugin.configSchema.safeParse({ max_parallel: 0 }).success).toBe(false);
    expect(localExecutorPlugin.configSchema.safeParse({ enable_parallel: true, parallel: 2 }).success).toBe(false);
  });

  it("keeps returned objects in memory with object_serialisation: false (runnable 0.50's key)", async () => {
    expect((await create({})).executor.capabilities.objectsInMemory).toBe(false);
    const { executor } = await create({ object_serialisation: false });
    expect(executor.capabilities.objectsInMemory).toBe(true);
    expect(executor.recordedConfig).toEqual({ enable_parallel: false, overrides: {}, object_serialisation: false });
    expect(localExecutorPlugin.configSchema.safeParse({ object_serialisation: "no" }).success).toBe(false);
  });
});
