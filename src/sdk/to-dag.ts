import { RunnableError } from "../core/errors.js";
import { DEFAULT_BRANCH, LOOP_PLACEHOLDER, MAP_PLACEHOLDER, childName, nestingProblem } from "../core/names.js";
import type { Reducer } from "../core/reducers.js";
import { returnsToYaml } from "./returns.js";
import type { LinkOptions, ParameterSchema, Step } from "./steps.js";

/** In-memory things the YAML form cannot hold, keyed by internal name. */
export interface Attachments {
  functions: Map<string, (parameters: Record<string, unknown>) => unknown>;
  reducers: Map<string, Reducer>;
  /** Parameter schemas of TypeScript tasks (checked before the function runs). */
  schemas: Map<string, ParameterSchema>;
}

/** Empty attachments. */
export function noAttachments(): Attachments {
  return { functions: new Map(), reducers: new Map(), schemas: new Map() };
}

const nameOf = (target: string | Step | undefined): string | undefined =>
  target === undefined ? undefined : typeof target === "string" ? target : target.options.name;

/**
 * Turns a list of steps into runnable's YAML `dag` mapping: list order links steps unless `next` is
 * given; the last step goes to `success`; duplicate names are rejected.
 */
export function stepsToDag(
  steps: readonly Step[],
  meta: { name: string; description: string },
  branchName: string,
  attachments: Attachments,
): Record<string, unknown> {
  const tooDeep = nestingProblem(branchName);
  if (tooDeep) {
    const where = branchName.split(".").slice(0, 2).join(".");
    throw new RunnableError("PIPELINE_INVALID", `the pipeline, in branch "${where}...": ${tooDeep}`, {
      hint: "run the inner part as a pipeline of its own, or iterate inside one task instead of nesting maps",
    });
  }
  if (steps.length === 0) throw new RunnableError("PIPELINE_INVALID", `pipeline "${meta.name || branchName || "<top>"}" has no steps`);
  const names = new Set<string>();
  for (const step of steps) {
    if (names.has(step.options.name)) {
      throw new RunnableError("PIPELINE_INVALID", `duplicate step name "${step.options.name}" in pipeline "${meta.name || branchName || "<top>"}"`, {
        hint: "every step of a pipeline needs its own name",
      });
    }
    names.add(step.options.name);
  }
  const dagSteps: Record<string, unknown> = {};
  steps.forEach((step, index) => {
    const following = steps[index + 1]?.options.name ?? "success";
    dagSteps[step.options.name] = stepToYaml(step, following, branchName, attachments);
  });
  return { start_at: steps[0]!.options.name, ...(meta.description ? { description: meta.description } : {}), steps: dagSteps };
}

function stepToYaml(step: Step, following: string, branchName: string, attachments: Attachments): Record<string, unknown> {
  if (step.kind === "success" || step.kind === "fail") return { type: step.kind };
  const options = step.options as LinkOptions & { name: string };
  const internal = childName(branchName, options.name);
  const next = options.terminateWith ?? nameOf(options.next) ?? following;
  const overrides = (options as { overrides?: Record<string, string> }).overrides;
  const link: Record<string, unknown> = {
    next,
    ...(options.onFailure ? { on_failure: nameOf(options.onFailure) } : {}),
    ...(overrides ? { overrides } : {}),
  };
  switch (step.kind) {
    case "task":
      return taskToYaml(step, internal, link, attachments);
    case "stub": {
      const o = step.options;
      return { type: "stub", ...link, ...(o.catalog ? { catalog: o.catalog } : {}), ...(o.maxAttempts ? { max_attempts: o.maxAttempts } : {}), ...o.extra };
    }
    case "parallel": {
      const branches: Record<string, unknown> = {};
      for (const [name, pipeline] of Object.entries(step.options.branches)) {
        branches[name] = pipeline.toDag(`${internal}.${name}`, attachments);
      }
      return { type: "parallel", ...link, branches };
    }
    case "map": {
      const o = step.options;
      if (typeof o.reducer === "function") attachments.reducers.set(internal, o.reducer);
      return {
        type: "map",
        iterate_on: o.iterateOn,
        iterate_as: o.iterateAs,
        ...(typeof o.reducer === "string" ? { reducer: o.reducer } : {}),
        ...link,
        branch: o.branch.toDag(`${internal}.${MAP_PLACEHOLDER}`, attachments),
      };
    }
    case "conditional":
    case "loop":
      return controlToYaml(step, internal, link, attachments);
    case "dag":
      if (step.options.pipeline) return { type: "dag", dag: step.options.pipeline.toDag(`${internal}.dag`, attachments), ...link };
      return { type: "dag", dag_definition: step.options.definition, ...link };
  }
}

type StepOf<K extends Step["kind"]> = Extract<Step, { kind: K }>;

function taskToYaml(step: StepOf<"task">, internal: string, link: Record<string, unknown>, attachments: Attachments): Record<string, unknown> {
  const o = step.options;
  if (o.fn) attachments.functions.set(internal, o.fn);
  if (o.schema) attachments.schemas.set(internal, o.schema);
  const returns = returnsToYaml(`step "${internal}"`, o.returns);
  return {
    type: "task",
    command_type: o.commandType,
    command: o.command,
    ...link,
    ...(o.catalog ? { catalog: o.catalog } : {}),
    ...(o.maxAttempts !== undefined ? { max_attempts: o.maxAttempts } : {}),
    ...(o.secrets ? { secrets: o.secrets } : {}),
    ...(returns ? { returns } : {}),
    ...o.extra,
  };
}

/** A conditional or loop step as runnable 0.50's YAML writes it. */
function controlToYaml(
  step: StepOf<"conditional"> | StepOf<"loop">,
  internal: string,
  link: Record<string, unknown>,
  attachments: Attachments,
): Record<string, unknown> {
  if (step.kind === "conditional") {
    const o = step.options;
    const branches: Record<string, unknown> = {};
    for (const [key, pipeline] of Object.entries(o.branches)) branches[key] = pipeline.toDag(`${internal}.${key}`, attachments);
    const fallback = o.default && { default: o.default.toDag(`${internal}.${DEFAULT_BRANCH}`, attachments) };
    return { type: "conditional", parameter: o.on, ...link, branches, ...fallback };
  }
  const o = step.options;
  return {
    type: "loop",
    max_iterations: o.maxIterations,
    break_on: o.breakOn,
    ...(o.indexAs ? { index_as: o.indexAs } : {}),
    ...link,
    branch: o.branch.toDag(`${internal}.${LOOP_PLACEHOLDER}`, attachments),
  };
}
