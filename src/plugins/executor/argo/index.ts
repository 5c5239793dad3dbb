import { definePlugin } from "../../../ports/plugin.js";
import { argoRules } from "./rules.js";
import { buildArgoConfigSchema } from "./schema.js";

export { buildArgoConfigSchema, type ArgoConfig } from "./schema.js";
export type { ArgoWorkflow } from "./workflow-types.js";

/**
 * Renders the pipeline as an Argo Workflows manifest (§11.5) instead of running it: every step becomes
 * a pod that calls `runnable execute-single-node` / `runnable fan` from the configured image.
 */
export const argoExecutorPlugin = definePlugin({
  kind: "executor",
  type: "argo",
  description: "writes an Argo Workflows manifest (each step a pod running runnable from `image`); runs nothing",
  configSchema: buildArgoConfigSchema,
  create: async (config, context) => (await import("./argo-executor.js")).createArgoExecutor(config, context),
  rules: (self, peers, config) => argoRules(self, peers, config),
});
