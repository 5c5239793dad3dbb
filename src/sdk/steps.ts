import type { ParameterSchema } from "../core/graph.js";
import type { Reducer } from "../core/reducers.js";

export type { ParameterSchema };
import { RunnableError } from "../core/errors.js";
import type { Pipeline } from "./pipeline.js";
import { STEP_KEYS, TASK_KEYS, checkOptions } from "./options.js";
import type { ReturnEntry, Returned, ReturnedTuple, ReturnedValue } from "./returns.js";

/** Catalog settings of a step: glob patterns to get before it runs and put after it succeeds. */
export interface CatalogOptions {
  get?: string[];
  put?: string[];
}

/** How a step links to the next ones (default: the next step in the list, the last one to `success`). */
export interface LinkOptions {
  /** Step to run after success (a name or a step), overriding list order. */
  next?: string | Step;
  /** Step to run when this step fails (default: the pipeline's fail node). */
  onFailure?: string | Step;
  /** End the pipeline after this step: `success` (default for the last step) or `fail`. */
  terminateWith?: "success" | "fail";
}

interface StepBase extends LinkOptions {
  name: string;
}

/** Options shared by task steps. */
export interface TaskOptions extends StepBase {
  catalog?: CatalogOptions;
  maxAttempts?: number;
  /** Secrets exposed to the task (environment variables of subprocess tasks, `getSecret` in-process). */
  secrets?: string[];
  /** Executor override bundles by executor type (YAML `overrides`). */
  overrides?: Record<string, string>;
}

/** The task kinds the built-in runners know (YAML `command_type`). */
export type CommandType = "python" | "notebook" | "shell" | "typescript" | "javascript";

/**
 * A TypeScript/JavaScript function step: `function` runs in-process, or `command: "path.ts#export"`.
 * `T` is what the function returns: with `returns`, it is checked against them (one value for one name,
 * a tuple for several: `returns: ["rows", metric("score"), object("model")]` → `[unknown, MetricValue, unknown]`).
 */
export interface TypescriptTaskOptions<T = unknown> extends TaskOptions {
  // Parameters arrive as one object; `any` lets functions declare the shape they expect.
  // biome-ignore lint/suspicious/noExplicitAny: `unknown` would reject functions that declare their parameters' type.
  function?: (parameters: any) => T | Promise<T>;
  command?: string;
  /** What the task reads (e.g. `z.object({ lr: z.number() })`): checked before the function runs. */
  parameters?: ParameterSchema;
  /** What it hands back by name (runnable 0.50's `returns`). */
  returns?: readonly ReturnEntry[];
}

/** A Python function step (`command: "package.module.function"`), as `command_type: python` in YAML. */
export interface PythonTaskOptions extends TaskOptions {
  /** The dotted path of the function, e.g. `examples.functions.train`. */
  function: string;
  /** What the function returns by name: one value, or a tuple with one per name (runnable 0.50's `returns`). */
  returns?: readonly ReturnEntry[];
}

/** A shell command step; it hands back the variables `returns` names from the environment it leaves (no objects). */
export interface ShellTaskOptions extends TaskOptions {
  command: string;
  returns?: readonly (string | Returned<"json" | "metric">)[];
}

/** A notebook step, as `command_type: notebook` in YAML. */
export interface NotebookTaskOptions extends TaskOptions {
  /** Variables of the notebook handed back by name after its last cell (runnable 0.50's `returns`). */
  returns?: readonly ReturnEntry[];
  /** The `.ipynb` file, relative to the working directory. */
  notebook: string;
  /** Where the executed notebook is written (YAML `notebook_output_path`). */
  outputPath?: string;
  /** The tag of the cell whose variables become outputs (YAML `output_cell_tag`). */
  outputCellTag?: string;
}

type TaskStepOptions = TaskOptions & {
  command: string;
  commandType: string;
  returns?: readonly ReturnEntry[];
  // biome-ignore lint/suspicious/noExplicitAny: as TypescriptTaskOptions' function.
  fn?: (parameters: any) => unknown;
  schema?: ParameterSchema;
  extra?: Record<string, unknown>;
};

/** A step of a pipeline built in code. */
export type Step =
  | { kind: "task"; options: TaskStepOptions }
  | { kind: "stub"; options: StepBase & { catalog?: CatalogOptions; maxAttempts?: number; extra?: Record<string, unknown> } }
  | { kind: "success" | "fail"; options: { name: string } }
  | { kind: "parallel"; options: StepBase & { branches: Record<string, Pipeline> } }
  | { kind: "map"; options: StepBase & { iterateOn: string; iterateAs: string; branch: Pipeline; reducer?: string | Reducer } }
  | { kind: "dag"; options: StepBase & ({ definition: string; pipeline?: undefined } | { pipeline: Pipeline; definition?: undefined }) }
  | { kind: "conditional"; options: ConditionalOptions }
  | { kind: "loop"; options: LoopOptions };

/** A conditional step: `on` names the parameter whose value (as Python's `str()`: `True`, `3`, `heads`) picks the branch. */
export interface ConditionalOptions extends StepBase {
  /** The parameter read (letters and digits only, as runnable 0.50 requires). */
  on: string;
  /** Branch pipelines keyed by the value that runs them. */
  branches: Record<string, Pipeline>;
  /** Run when no key matches (without it, no match fails the step). */
  default?: Pipeline;
  overrides?: Record<string, string>;
}

/** A loop step: `branch` runs again on the parameters it left until `breakOn` is true, at most `maxIterations` times. */
export interface LoopOptions extends StepBase {
  branch: Pipeline;
  /** The boolean parameter that ends the loop when true (unset: go on). */
  breakOn: string;
  /** The most iterations (mandatory: a loop always has a bound). */
  maxIterations: number;
  /** The environment variable holding the iteration index (0, 1, ...) in the branch's tasks. */
  indexAs?: string;
  overrides?: Record<string, string>;
}

const label = (kind: string, options: { name?: unknown }): string => `step ${JSON.stringify(options.name ?? "")} (${kind})`;

// The overloads go from several returns to none: TypeScript types a function's array literal once, with
// the first overload it tries, and only the tuple overload makes `() => [rows, score]` a tuple.
/** A step whose function returns a tuple with one value per name of `returns`, in order. */
export function typescript<const R extends readonly [ReturnEntry, ReturnEntry, ...ReturnEntry[]]>(
  options: TypescriptTaskOptions<ReturnedTuple<R>> & { returns: R },
): Step;
/** A step whose function returns one value by name (`returns: ["rows"]`, `[metric("score")]`, `[object("model")]`). */
export function typescript<const E extends ReturnEntry>(options: TypescriptTaskOptions<ReturnedValue<E>> & { returns: readonly [E] }): Step;
/** A step running an in-process TypeScript/JavaScript function (February-2024: it may return an object of parameters). */
export function typescript(options: TypescriptTaskOptions & { returns?: readonly [] | undefined }): Step;
export function typescript(options: TypescriptTaskOptions): Step {
  checkOptions(label("typescript", options), options, [...TASK_KEYS, "function", "command", "parameters", "returns"]);
  const { function: fn, command, parameters, ...rest } = options;
  if (!fn && !command) throw new RunnableError("PIPELINE_INVALID", `${label("typescript", options)}: give either function or command`);
  const resolved = command ?? `<inline>#${fn?.name || "anonymous"}`;
  return {
    kind: "task",
    options: { ...rest, command: resolved, commandType: "typescript", ...(fn ? { fn } : {}), ...(parameters ? { schema: parameters } : {}) },
  };
}

/** A shell command step (run with /bin/sh). */
export function shell(options: ShellTaskOptions): Step {
  checkOptions(label("shell", options), options, [...TASK_KEYS, "command", "returns"]);
  return { kind: "task", options: { ...options, commandType: "shell" } };
}

/** A Python function step: `python({ name: "train", function: "examples.functions.train" })`. */
export function python(options: PythonTaskOptions): Step {
  checkOptions(label("python", options), options, [...TASK_KEYS, "function", "returns"]);
  const { function: command, ...rest } = options;
  return { kind: "task", options: { ...rest, command, commandType: "python" } };
}

/** A notebook step: `notebook({ name: "report", notebook: "examples/report.ipynb" })`. */
export function notebook(options: NotebookTaskOptions): Step {
  checkOptions(label("notebook", options), options, [...TASK_KEYS, "notebook", "outputPath", "outputCellTag", "returns"]);
  const { notebook: command, outputPath, outputCellTag, ...rest } = options;
  const extra = { ...(outputPath ? { notebook_output_path: outputPath } : {}), ...(outputCellTag ? { output_cell_tag: outputCellTag } : {}) };
  return { kind: "task", options: { ...rest, command, commandType: "notebook", extra } };
}

/** A task of any `command_type`, as in YAML (`python`, `notebook`, `shell`, `typescript`, `javascript`). */
export function task(
  options: TaskOptions & { command: string; commandType: CommandType; extra?: Record<string, unknown>; returns?: readonly ReturnEntry[] },
): Step {
  checkOptions(label("task", options), options, [...TASK_KEYS, "command", "commandType", "extra", "returns"]);
  return { kind: "task", options };
}

/** A no-op step (may still get/put catalog files); extra keys are kept in the definition. */
export function stub(options: StepBase & { catalog?: CatalogOptions; maxAttempts?: number; extra?: Record<string, unknown> }): Step {
  checkOptions(label("stub", options), options, [...STEP_KEYS, "catalog", "maxAttempts", "extra"]);
  return { kind: "stub", options };
}

/** A terminal step that marks its pipeline successful (added automatically when absent). */
export function success(name = "success"): Step {
  return { kind: "success", options: { name } };
}

/** A terminal step that marks its pipeline failed (added automatically when absent). */
export function fail(name = "fail"): Step {
  return { kind: "fail", options: { name } };
}

/** Named branches, each a pipeline, run side by side. */
export function parallel(options: StepBase & { branches: Record<string, Pipeline> }): Step {
  checkOptions(label("parallel", options), options, [...STEP_KEYS, "branches"]);
  return { kind: "parallel", options };
}

/** Runs `branch` once per item of the list parameter `iterateOn`, the item named `iterateAs`. */
export function map(options: StepBase & { iterateOn: string; iterateAs: string; branch: Pipeline; reducer?: string | Reducer }): Step {
  checkOptions(label("map", options), options, [...STEP_KEYS, "iterateOn", "iterateAs", "branch", "reducer"]);
  return { kind: "map", options };
}

/**
 * A nested pipeline run as the branch `<name>.dag`: a pipeline built in code (`pipeline`), or the `dag`
 * block of a YAML file (`definition`, relative to the working directory the pipeline is built in).
 */
export function dag(options: StepBase & ({ definition: string; pipeline?: undefined } | { pipeline: Pipeline; definition?: undefined })): Step {
  checkOptions(label("dag", options), options, [...STEP_KEYS, "definition", "pipeline"]);
  if ((options.definition === undefined) === (options.pipeline === undefined)) {
    throw new RunnableError("PIPELINE_INVALID", `${label("dag", options)}: give either definition (a YAML file) or pipeline (one built in code)`);
  }
  return { kind: "dag", options };
}

/** Runs the one branch keyed by the value of the parameter `on` (runnable 0.50's Conditional), or `default`. */
export function conditional(options: ConditionalOptions): Step {
  checkOptions(label("conditional", options), options, [...STEP_KEYS, "on", "branches", "default", "overrides"]);
  return { kind: "conditional", options };
}

/** Runs `branch` repeatedly until the parameter `breakOn` is true, at most `maxIterations` times (runnable 0.50's Loop). */
export function loop(options: LoopOptions): Step {
  checkOptions(label("loop", options), options, [...STEP_KEYS, "branch", "breakOn", "maxIterations", "indexAs", "overrides"]);
  return { kind: "loop", options };
}
