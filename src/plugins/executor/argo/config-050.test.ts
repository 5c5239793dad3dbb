import { describe, expect, it } from "vitest";
import { durationSeconds, fromArgo050, retryStrategyOf } from "./config-050.js";

describe("runnable 0.50's argo keys translated", () => {
  it("reads Argo durations as whole seconds, and nothing else", () => {
    expect([120, "120", "2m", "1h", "1h30m", "90s", "1m30s"].map(durationSeconds)).toEqual([120, 120, 120, 3600, 5400, 90, 90]);
    expect([1.5, -1, "", "2d", "1.5h", "m", null].map(durationSeconds)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it("translates a retryStrategy (camelCase or snake_case) and refuses one with no faithful equivalent", () => {
    expect(retryStrategyOf({ limit: 2, retryPolicy: "OnError", backOff: { duration: "30s", factor: 2, maxDuration: "10m" } })).toEqual({
      limit: 2,
      retry_policy: "OnError",
      back_off: { duration_in_seconds: 30, factor: 2, max_duration: 600 },
    });
    expect(retryStrategyOf({ limit: 1, back_off: { max_duration: "1h" } })).toEqual({
      limit: 1,
      back_off: { duration_in_seconds: 120, factor: 2, max_duration: 3600 },
    });
    expect(retryStrategyOf({ limit: 1, backOff: { factor: 1.5 } })).toBeUndefined();
    expect(retryStrategyOf({ limit: 1, expression: "x" })).toBeUndefined();
  });

  it("translates camelCase override bundles; unknown keys stay for the strict schema to refuse", () => {
    const out = fromArgo050({
      defaults: { image: "img", failFast: false },
      overrides: { big: { imagePullPolicy: "Never", failFast: true, retryStrategy: { limit: 1 }, env: [] }, ours: { image_pull_policy: "Always" } },
    }) as Record<string, unknown>;
    expect(out["image"]).toBe("img");
    expect(out).not.toHaveProperty("defaults.failFast");
    expect(out["overrides"]).toEqual({
      big: { image_pull_policy: "Never", fail_fast: true, retry_strategy: { limit: 1 }, env: [] },
      ours: { image_pull_policy: "Always" },
    });
    expect(fromArgo050({ defaults: { image: "img", failFast: true } })).toHaveProperty(["defaults.failFast"], true);
  });
});
