export { pipeline, isPipeline, type Pipeline, type ExecuteOptions, type RetryPipelineOptions } from "./pipeline.js";
export { job, type Job } from "./job.js";
export { typescript, python, notebook, shell, task, stub, success, fail, parallel, map, dag } from "./steps.js";
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
