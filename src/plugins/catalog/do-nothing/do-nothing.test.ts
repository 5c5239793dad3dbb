import { findingsForConfigs } from "../../../runtime/integrations.js";
import { describe, expect, it } from "vitest";
import type { PluginContext } from "../../../ports/plugin.js";
import { catalogContract } from "../../../testing/contracts/catalog.contract.js";
import { doNothingCatalogPlugin } from "./index.js";

const context = (cwd: string, warnings: string[] = []): PluginContext => ({
  cwd,
  env: {},
  warn: (message) => warnings.push(message),
});

catalogContract("do-nothing", (cwd) => doNothingCatalogPlugin.create({}, context(cwd)), { storesFiles: false });

describe("do-nothing catalog", () => {
  it("rejects any config key", () => {
    expect(doNothingCatalogPlugin.configSchema.safeParse({}).success).toBe(true);
    expect(doNothingCatalogPlugin.configSchema.safeParse({ catalog_location: "x" }).success).toBe(false);
  });

  it("returns no entries for every operation (its warning comes from the integration rules, once per run)", async () => {
    const warnings: string[] = [];
    const catalog = await doNothingCatalogPlugin.create({}, context("/nonexistent", warnings));
    expect(warnings).toEqual([]);
    expect(
      (
        await findingsForConfigs({
          executor: { type: "local" },
          run_log_store: { type: "file-system" },
          catalog: { type: "do-nothing" },
          secrets: { type: "do-nothing" },
          experiment_tracker: { type: "do-nothing" },
        })
      )
        .filter((f) => f.level === "warning")
        .map((f) => f.message),
    ).toEqual(["catalog do-nothing: catalog get/put of steps copy nothing; choose catalog file-system to pass files between steps"]);
    expect(catalog.type).toBe("do-nothing");
    expect(catalog.recordedConfig).toEqual({});
    expect(await catalog.get("anything/**", "r")).toEqual([]);
    expect(await catalog.put("missing", "r")).toEqual([]);
    expect(await catalog.putContent("x.execution.log", "x", "r")).toEqual([]);
    await expect(catalog.syncBetweenRuns("a", "b")).resolves.toBeUndefined();
  });
});
