/** runnable-ts: pipelines with a faithful run log. The SDK, the in-task API and the shared types. */
export * from "./sdk/index.js";
export { RunnableError, isRunnableError, type ErrorCode, type Problem } from "./core/errors.js";
export type { RunLog, StepLog, BranchLog, Attempt, DataCatalog, CodeIdentity, Status, Parameters } from "./core/run-log.js";
export type { ParameterKind, ParameterKinds } from "./core/returns.js";
export type { PluginDefinition, PluginContext } from "./ports/plugin.js";
export { definePlugin } from "./ports/plugin.js";
