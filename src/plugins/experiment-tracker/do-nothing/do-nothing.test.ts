import { describe, expect, it } from "vitest";
import { doNothingTrackerPlugin } from "./index.js";

describe("do-nothing experiment tracker", () => {
  const context = { cwd: "/", env: {}, warn: () => {} };

  it("accepts only an empty config", () => {
    expect(doNothingTrackerPlugin.configSchema.safeParse({}).success).toBe(true);
    expect(doNothingTrackerPlugin.configSchema.safeParse({ server_url: "x" }).success).toBe(false);
  });

  it("does nothing and exposes an empty client context", async () => {
    const tracker = await doNothingTrackerPlugin.create({}, context);
    expect(tracker.type).toBe("do-nothing");
    await tracker.startRun({ runId: "r", tag: "", pipelineName: "p", gitCommit: null });
    await tracker.publish("s", [{ key: "a", step: 0, value: 1, time_ms: 0 }]);
    await tracker.endRun("SUCCESS");
    expect(tracker.clientContext()).toEqual({});
    expect(tracker.recordedConfig).toEqual({});
  });
});
