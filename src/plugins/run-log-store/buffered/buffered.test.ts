import { describe, expect, it } from "vitest";
import type { PluginContext } from "../../../ports/plugin.js";
import { runLogStoreContract, sampleRunHeader } from "../../../testing/contracts/run-log-store.contract.js";
import { createBufferedRunLogStore } from "./buffered.js";
import { bufferedRunLogStorePlugin } from "./index.js";

const context: PluginContext = { cwd: process.cwd(), env: {}, warn: () => undefined };

const inMemory = { sharedStorage: false, leasesAcrossProcesses: false };
runLogStoreContract("buffered", async () => ({ store: createBufferedRunLogStore(), cleanup: async () => undefined }), inMemory);
runLogStoreContract(
  "buffered (plug-in)",
  async () => ({
    store: await bufferedRunLogStorePlugin.create(bufferedRunLogStorePlugin.configSchema.parse({}), context),
    cleanup: async () => undefined,
  }),
  inMemory,
);

describe("buffered run log store", () => {
  it("is a strict, empty-config plug-in of kind run_log_store", () => {
    expect(bufferedRunLogStorePlugin.kind).toBe("run_log_store");
    expect(bufferedRunLogStorePlugin.type).toBe("buffered");
    expect(bufferedRunLogStorePlugin.configSchema.safeParse({ log_folder: "x" }).success).toBe(false);
  });

  it("records no config and keeps several runs apart (runnable kept only one)", async () => {
    const store = createBufferedRunLogStore();
    expect(store.recordedConfig).toEqual({});
    await store.create(sampleRunHeader("one"));
    await store.create({ ...sampleRunHeader("two"), tag: "second" });
    await store.setStatus("one", "FAIL");
    expect((await store.get("one")).status).toBe("FAIL");
    expect((await store.get("two")).status).toBe("PROCESSING");
    expect((await store.get("two")).tag).toBe("second");
    expect((await store.list()).map((run) => run.run_id)).toEqual(["one", "two"]);
  });
});
