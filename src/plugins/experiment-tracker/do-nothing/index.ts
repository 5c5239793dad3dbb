import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** The default tracker: metrics stay in the run log only. */
export const doNothingTrackerPlugin = definePlugin({
  kind: "experiment_tracker",
  type: "do-nothing",
  description: "keeps tracked values in the run log only (no external tracker)",
  configSchema: z.strictObject({}),
  async create() {
    const { createDoNothingTracker } = await import("./do-nothing.js");
    return createDoNothingTracker();
  },
  rules: (self) => [{ level: "info", service: "experiment_tracker", message: `experiment_tracker ${self.type}: metrics are kept in the run log only` }],
});
