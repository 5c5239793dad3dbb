/** Argo controller emulator for tests: run rendered manifests with real processes or containers. */
export { runWorkflow, type EmulatorOptions, type WorkflowResult } from "./emulator.js";
export { parseDepends, evaluateDepends, dependencyNames } from "./depends.js";
export type { NodeRecord, Phase, PodRequest, PodResult, PodRunner, WfWorkflow } from "./types.js";
