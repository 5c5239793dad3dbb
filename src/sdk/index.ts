export { pipeline, isPipeline, type Pipeline, type ExecuteOptions, type RetryPipelineOptions } from "./pipeline.js";
export { typescript, python, notebook, shell, task, stub, success, fail, parallel, map, dag, conditional, loop } from "./steps.js";
export type {
  Step,
  CatalogOptions,
  LinkOptions,
  TaskOptions,
  TypescriptTaskOptions,
  PythonTaskOptions,
  NotebookTaskOptions,
  CommandType,
  ParameterSchema,
  ConditionalOptions,
  LoopOptions,
} from "./steps.js";
export {
  track,
  getParameter,
  setParameter,
  getRunId,
  getTag,
  getRunLog,
  getFromCatalog,
  putInCatalog,
  getSecret,
  getExperimentTrackerContext,
  getAbortSignal,
} from "./task-api.js";
