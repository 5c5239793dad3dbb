import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Config of the `do-nothing` catalog: no keys. */
export const doNothingCatalogConfigSchema = z.strictObject({});

/** The `do-nothing` catalog: moves no files and records nothing, so data cannot pass between steps. */
export const doNothingCatalogPlugin = definePlugin({
  kind: "catalog",
  type: "do-nothing",
  description: "Moves no files and records nothing (data cannot be passed between steps through the catalog)",
  configSchema: doNothingCatalogConfigSchema,
  create: async (_config, context) => (await import("./do-nothing.js")).createDoNothingCatalog(context),
  rules: (self) => [
    {
      level: "warning",
      service: "catalog",
      message: `catalog ${self.type}: catalog get/put of steps copy nothing; choose catalog file-system to pass files between steps`,
    },
  ],
});
