export { pipeline, isPipeline, type Pipeline, type ExecuteOptions, type RetryPipelineOptions } from "./pipeline.js";
export { job, type Job } from "./job.js";
export { typescript, python, notebook, shell, task, stub, success, fail, parallel, map, dag, conditional, loop } from "./steps.js";
export {
  json,
  metric,
  object,
  type Returned,
  type ReturnEntry,
  type ReturnedValue,
  type ReturnedTuple,
  type ReturnedValues,
  type MetricValue,
} from "./returns.js";
export type {
  Step,
  CatalogOptions,
  LinkOptions,
  TaskOptions,
  TypescriptTaskOptions,
  PythonTaskOptions,
  ShellTaskOptions,
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
