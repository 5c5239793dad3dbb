import { z } from "zod";

const stepName = z.string().min(1);
const nonBlank = z.string().refine((text) => text.trim() !== "");
const traversal = {
  type: z.string(),
  next: stepName,
  on_failure: z.string().optional(),
  overrides: z.record(z.string(), z.string()).optional(),
};
const catalog = z.strictObject({ get: z.array(z.string()).optional(), put: z.array(z.string()).optional(), store_copy: z.boolean().optional() });
const executable = {
  catalog: catalog.nullable().optional(),
  max_attempts: z.int().min(1).optional(),
};

/** Keys of a task that only the notebook task runner understands. */
export const NOTEBOOK_KEYS = ["notebook_output_path", "output_cell_tag", "optional_ploomber_args"] as const;

/** Schema of a `task` step. */
export const taskSchema = z.strictObject({
  ...traversal,
  ...executable,
  command: nonBlank,
  command_type: z.string().min(1).optional(),
  secrets: z.array(z.string()).optional(),
  // Checked entry by entry in task-returns.ts (every problem of the list, with its position).
  returns: z.unknown().optional(),
  notebook_output_path: z.string().optional(),
  output_cell_tag: z.string().optional(),
  optional_ploomber_args: z.record(z.string(), z.unknown()).optional(),
});

/** Schema of a `stub` step (extra keys are kept). */
export const stubSchema = z.looseObject({ ...traversal, ...executable });

/** Schema of a `success` or `fail` step. */
export const terminalSchema = z.strictObject({ type: z.string() });

/** Schema of a `parallel` step (branches are checked by the graph builder). */
export const parallelSchema = z.strictObject({ ...traversal, branches: z.record(z.string(), z.unknown()) });

/** Schema of a `map` step (the branch is checked by the graph builder). */
export const mapSchema = z.strictObject({
  ...traversal,
  iterate_on: stepName,
  iterate_as: stepName,
  branch: z.unknown().optional(),
  reducer: z.string().optional(),
});

/** Schema of a `dag` step: a YAML file to include (read by the graph builder), or (SDK) the nested graph inline. */
export const dagSchema = z.strictObject({ ...traversal, dag_definition: nonBlank.optional(), dag: z.unknown().optional() });

/** Python's `str.isalnum()`: letters and digits only, not empty (0.50 requires it of a conditional's parameter). */
export const isAlnum = (text: string): boolean => /^[\p{L}\p{N}]+$/u.test(text);

/** Schema of a `conditional` step (runnable 0.50; the branches are checked by the graph builder). */
export const conditionalSchema = z.strictObject({
  ...traversal,
  parameter: z.string().refine(isAlnum),
  branches: z.record(z.string(), z.unknown()),
  default: z.unknown().optional(),
});

/** Schema of a `loop` step (runnable 0.50; the branch is checked by the graph builder). */
export const loopSchema = z.strictObject({
  ...traversal,
  branch: z.unknown().optional(),
  max_iterations: z.int().min(1),
  break_on: stepName,
  index_as: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional(),
});

/** Schema of a graph (the top-level `dag` block or a branch). */
export const graphSchema = z.strictObject({
  start_at: stepName,
  steps: z.record(z.string(), z.unknown()).optional(),
  description: z.string().nullable().optional(),
  name: z.string().optional(),
});

/** Keys a stub knows about; all others are its extra keys. */
export const STUB_KEYS = Object.keys(stubSchema.shape);

/** What each known key must hold, for messages. */
export const FIELD_RULES: Readonly<Record<string, string>> = {
  next: "the name of the step to run next",
  on_failure: "the name of the step to run on failure",
  overrides: "a mapping of executor type to override name (strings)",
  catalog: "a mapping with optional get and put lists (and store_copy: false to record put files without copying them)",
  max_attempts: "an integer >= 1",
  command: "a non-empty string",
  command_type: "a task type name such as python, shell or notebook",
  secrets: "a list of secret names",
  returns: "a list of parameter names or {name, kind} mappings (kind: json, object or metric)",
  notebook_output_path: "a string",
  output_cell_tag: "a string",
  optional_ploomber_args: "a mapping",
  branches: "a mapping of branch name to branch graph",
  iterate_on: "the name of a list parameter",
  iterate_as: "a non-empty name",
  reducer: "a string (a lambda or a dotted function path)",
  dag_definition: "the path of a YAML file",
  parameter: "the name of the parameter whose value picks the branch (letters and digits only, as runnable 0.50 requires)",
  default: "the branch graph run when no key of branches matches",
  max_iterations: "an integer >= 1: the most iterations the loop runs; the bound is mandatory",
  break_on: "the name of the boolean parameter that ends the loop when true",
  index_as: "the name of the environment variable holding the iteration index (letters, digits and _)",
  dag: "a nested graph with start_at and steps",
  start_at: "the name of the first step",
  steps: "a mapping of step name to step",
  description: "a string",
  name: "a string",
  get: "a list of glob patterns",
  put: "a list of glob patterns",
  store_copy: "true or false",
};
