import type { Reducer } from "../core/reducers.js";
import type { Pipeline } from "./pipeline.js";

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
}

/** A TypeScript/JavaScript function step: `function` runs in-process, or `command: "path.ts#export"`. */
export interface TypescriptTaskOptions extends TaskOptions {
  // Parameters arrive as one object; `any` lets functions declare the shape they expect.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function?: (parameters: any) => unknown;
  command?: string;
}

/** A step of a pipeline built in code. */
export type Step =
  | { kind: "task"; options: TaskOptions & { command: string; commandType: string; fn?: TypescriptTaskOptions["function"]; extra?: Record<string, unknown> } }
  | { kind: "stub"; options: StepBase & { catalog?: CatalogOptions; maxAttempts?: number; extra?: Record<string, unknown> } }
  | { kind: "success" | "fail"; options: { name: string } }
  | { kind: "parallel"; options: StepBase & { branches: Record<string, Pipeline> } }
  | { kind: "map"; options: StepBase & { iterateOn: string; iterateAs: string; branch: Pipeline; reducer?: string | Reducer } }
  | { kind: "dag"; options: StepBase & { definition: string } };

/** A step running an in-process TypeScript/JavaScript function. */
export function typescript(options: TypescriptTaskOptions): Step {
  const { function: fn, command, ...rest } = options;
  if (!fn && !command) throw new TypeError(`step "${options.name}": give either function or command`);
  const resolved = command ?? `<inline>#${fn?.name || "anonymous"}`;
  return { kind: "task", options: { ...rest, command: resolved, commandType: "typescript", ...(fn ? { fn } : {}) } };
}

/** A shell command step (run with /bin/sh). */
export function shell(options: TaskOptions & { command: string }): Step {
  return { kind: "task", options: { ...options, commandType: "shell" } };
}

/** A task of any `command_type`, as in YAML (`python`, `notebook`, `shell`, `typescript`, `javascript`, or a plug-in's). */
export function task(options: TaskOptions & { command: string; commandType: string; extra?: Record<string, unknown> }): Step {
  return { kind: "task", options };
}

/** A no-op step (may still get/put catalog files); extra keys are kept in the definition. */
export function stub(options: StepBase & { catalog?: CatalogOptions; maxAttempts?: number; extra?: Record<string, unknown> }): Step {
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
  return { kind: "parallel", options };
}

/** Runs `branch` once per item of the list parameter `iterateOn`, the item named `iterateAs`. */
export function map(options: StepBase & { iterateOn: string; iterateAs: string; branch: Pipeline; reducer?: string | Reducer }): Step {
  return { kind: "map", options };
}

/**
 * A nested pipeline read from a YAML file (its `dag` block), run as the branch `<name>.dag`. The path is
 * relative to the working directory the pipeline is built in.
 */
export function dag(options: StepBase & { definition: string }): Step {
  return { kind: "dag", options };
}
