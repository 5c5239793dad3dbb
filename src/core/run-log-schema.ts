import { z } from "zod";
import { jsonSchemaDocument } from "./json-schema.js";

// The run log format, written once. From these schemas come the TypeScript types (`run-log.ts`), the
// JSON Schema `contracts/run-log.schema.json` (`npm run schemas`), what the stores check before they
// write and after they read, and the stores' fast structural check (compiled from them).
// Objects are `z.object`: keys not listed pass (the format is additive) and the stores keep the original
// objects, so nothing is stripped. A field added here is typed, documented and checked everywhere.

/** Parameter name → JSON value: the run's, an attempt's inputs, a branch's, what a step produced. */
export const parametersSchema = z.record(z.string(), z.unknown()).meta({ id: "parameters", description: "Parameter name → JSON value." });

/** Kinds of the parameters of one record that are not JSON values (runnable 0.50's `object` and `metric`). */
export const parameterKindsSchema = z.record(z.string(), z.enum(["object", "metric"])).meta({
  id: "parameterKinds",
  description:
    "Parameter name → kind, for the parameters of the record beside it that are not plain JSON: 'object' (the value is the name of an object " +
    "stored in the run's catalog as '<name>.dill', a Python pickle as runnable 0.50 stores it, or '<name>.v8', a serialised TypeScript value; " +
    "a list of names for a map's collected objects; object files are not listed in data_catalog, as in runnable 0.50) or 'metric' (a value " +
    "also recorded in the user_defined_metrics of the step that returned it). A parameter not named here is 'json'.",
});

const nullableString = z.string().nullable();
const jsonObject = z.record(z.string(), z.unknown());

/** Status of a run, a step, a branch or an attempt (names as runnable writes them). */
export const statusSchema = z.enum(["CREATED", "TRIGGERED", "PROCESSING", "SUCCESS", "FAIL"]).meta({
  id: "status",
  description:
    "CREATED (in memory) → PROCESSING (first stored) → SUCCESS | FAIL. TRIGGERED (defined by runnable, never set by it): a detached run whose walker has not started yet.",
});

/** A wall-clock time as runnable writes it. */
export const timestampSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/, "expected YYYY-MM-DD HH:MM:SS.ffffff")
  .meta({ id: "timestamp", description: "Local wall-clock time as 'YYYY-MM-DD HH:MM:SS.ffffff' (microseconds, six digits)." });

/** An elapsed time as Python's `str(timedelta)` writes it. */
export const durationSchema = z
  .string()
  .regex(/^\d+:\d{2}:\d{2}(\.\d{6})?$/, "expected H:MM:SS.ffffff")
  .meta({
    id: "duration",
    description: "Elapsed time as 'H:MM:SS.ffffff' (hours not zero-padded; a value of whole seconds may omit the fraction).",
  });

/** Identity of the code that ran a step (git commit, container image). */
export const codeIdentitySchema = z
  .object({
    code_identifier: nullableString.meta({ description: "The git commit or the container image id." }),
    code_identifier_type: nullableString.meta({ description: "'git' or 'docker'." }),
    code_identifier_dependable: z.boolean().nullable().meta({ description: "False when the working tree had uncommitted changes." }),
    code_identifier_url: nullableString.meta({ description: "The git remote URL, or 'local docker host'." }),
    code_identifier_message: nullableString,
  })
  .meta({ id: "codeIdentity", description: "Identity of the code that ran a step (extra keys allowed)." });

/** One file moved by the catalog, as recorded in a step log. */
export const dataCatalogSchema = z
  .object({
    name: z.string().min(1).meta({ description: "The file's path relative to the working directory." }),
    data_hash: z.string().meta({ description: "SHA-256 of the file's content (hex)." }),
    catalog_relative_path: z.string().meta({ description: "The file's path inside the catalog." }),
    catalog_handler_location: z.string().meta({ description: "Where the catalog is." }),
    stage: z.enum(["get", "put"]),
  })
  .meta({ id: "dataCatalog", description: "One file moved by the catalog (extra keys allowed)." });

/** One attempt at running a step. */
export const attemptSchema = z
  .object({
    attempt_number: z.number().int().min(1).meta({ description: "1 for the first attempt; a retry numbers on from the earlier record." }),
    start_time: timestampSchema,
    end_time: timestampSchema,
    duration: durationSchema,
    status: statusSchema,
    message: z.string().meta({ description: "Empty, or why the attempt failed." }),
    parameters: parametersSchema.meta({ description: "The parameters the attempt saw (its inputs)." }),
    parameter_kinds: parameterKindsSchema.optional().meta({ description: "Kinds of the attempt's non-JSON input parameters. Additive." }),
    output_parameters: parametersSchema
      .optional()
      .meta({ description: "The values a successful attempt returned by name (the task's `returns`), whether or not they changed anything. Additive." }),
    output_parameter_kinds: parameterKindsSchema.optional().meta({ description: "Kinds of the attempt's non-JSON output parameters. Additive." }),
    user_defined_metrics: jsonObject.optional().meta({ description: "Metrics a failed attempt recorded (a successful attempt's are its step's). Additive." }),
    metric_times_ms: z
      .record(z.string(), z.union([z.string(), z.record(z.string(), z.number())]))
      .optional()
      .meta({
        description:
          "When each metric value was recorded, per key: epoch ms in increasing step order, delta-encoded; older logs hold {step: epoch ms} objects. Additive.",
      }),
  })
  .meta({ id: "attempt", description: "One attempt at running a step." });

/** The log of one step; composite steps hold their branches. */
export const stepLogSchema = z
  .object({
    name: z.string().meta({ description: "The step's name in its graph." }),
    internal_name: z.string().meta({ description: "The dotted path of the step (map items substituted)." }),
    status: statusSchema,
    step_type: z.string().min(1).meta({ description: "task, stub, success, fail, parallel, map, dag, conditional or loop." }),
    message: z.string(),
    mock: z.boolean().meta({ description: "True when the step was not run: skipped by a re-run, or mocked." }),
    code_identities: z.array(codeIdentitySchema),
    attempts: z.array(attemptSchema).meta({ description: "Attempts of a task, in order (none for other steps)." }),
    user_defined_metrics: jsonObject.meta({ description: "Metrics the successful attempt tracked." }),
    get branches(): z.ZodRecord<z.ZodString, typeof branchLogSchema> {
      return branchesSchema;
    },
    data_catalog: z.array(dataCatalogSchema).meta({ description: "Files the catalog moved for the step, its execution log included." }),
    output_parameters: parametersSchema
      .optional()
      .meta({ description: "What the step produced (its successful attempt, or a composite's fan-in), restored when a re-run or retry skips it. Additive." }),
    output_parameter_kinds: parameterKindsSchema.optional().meta({ description: "Kinds of the step's non-JSON output parameters. Additive." }),
  })
  .meta({ id: "stepLog", description: "The log of one step (extra keys allowed)." });

/** The log of one branch of a composite step. */
export const branchLogSchema = z
  .object({
    internal_name: z.string().meta({ description: "The dotted path of the branch (map items substituted)." }),
    status: statusSchema,
    get steps(): z.ZodRecord<z.ZodString, typeof stepLogSchema> {
      return stepsSchema;
    },
    parameters: parametersSchema.optional().meta({ description: "The parameters of the branch scope at its end. Additive." }),
    parameter_kinds: parameterKindsSchema.optional().meta({ description: "Kinds of the branch's non-JSON parameters. Additive." }),
  })
  .meta({ id: "branchLog", description: "The log of one branch of a composite step (extra keys allowed)." });

const stepsSchema = z.record(z.string(), stepLogSchema).meta({ id: "steps", description: "Step logs by internal name, in the order they ran." });
const branchesSchema = z.record(z.string(), branchLogSchema).meta({ description: "Branch logs of a composite step by internal name." });

/** A service as recorded in `run_config`: its name, its kind and its config's fields. */
export const serviceRecordSchema = z
  .looseObject({ service_name: z.string().min(1), service_type: z.string().min(1) })
  .meta({ id: "service", description: "A service: its type (service_name), its kind (service_type) and its config's fields." });

/** Summary fields of a step as `run_config.dag` lists it. */
const dagStepSchema = z.looseObject({
  type: z.string(),
  name: z.string(),
  internal_name: z.string().optional(),
  internal_branch_name: z.string().optional(),
  is_composite: z.boolean().optional(),
});

/** `run_config.dag`: the pipeline as run; plain JSON to the engine, so typed as such. */
const dagSchema: z.ZodType<Record<string, unknown>> = z
  .looseObject({
    start_at: z.string(),
    name: z.string().optional(),
    description: nullableString.optional(),
    internal_branch_name: z.string().optional(),
    steps: z.record(z.string(), dagStepSchema),
  })
  .meta({
    id: "dag",
    description:
      "The pipeline as run. runnable has written two forms of each step entry: a summary (type, name, internal_name, internal_branch_name, is_composite) and the full node definition; both are valid.",
  });

/** The serialised run context (`run_config`), as runnable writes it. */
export const runConfigSchema = z
  .looseObject({
    executor: serviceRecordSchema,
    run_log_store: serviceRecordSchema,
    secrets_handler: serviceRecordSchema,
    catalog_handler: serviceRecordSchema,
    experiment_tracker: serviceRecordSchema,
    pipeline_file: nullableString.meta({ description: "The pipeline file, relative to the working directory (empty for SDK runs)." }),
    parameters_file: nullableString,
    configuration_file: nullableString,
    tag: nullableString,
    run_id: z.string(),
    variables: z.record(z.string(), z.string()).meta({ description: "The RUNNABLE_VAR_* variables of the run (name → text)." }),
    use_cached: z.boolean(),
    original_run_id: nullableString,
    dag: dagSchema,
    dag_hash: nullableString,
    execution_plan: z.string(),
  })
  .meta({ id: "runConfig", description: "The serialised run context (extra keys allowed)." });

/** The fields of a run log other than its steps (a chunked store keeps the steps apart). */
export const runHeaderFields = {
  run_id: z.string().min(1),
  dag_hash: nullableString.meta({ description: "SHA-1 of the pipeline's dag block as written; empty for SDK runs." }),
  use_cached: z.boolean().meta({ description: "True for a re-run of an earlier run." }),
  tag: nullableString,
  original_run_id: nullableString.meta({ description: "The run being re-run, or empty." }),
  status: statusSchema,
  parameters: parametersSchema.meta({ description: "The parameters at the end of the run." }),
  parameter_kinds: parameterKindsSchema.optional().meta({ description: "Kinds of the run's non-JSON final parameters. Additive." }),
  run_config: runConfigSchema,
  initial_parameters: parametersSchema.optional().meta({ description: "The parameters the run started with. Additive." }),
  job: z
    .lazy(() => stepLogSchema)
    .optional()
    .meta({
      description:
        "The log of a job (runnable 0.50's PythonJob, ShellJob, NotebookJob: one task run on its own; its steps are empty): status, attempts, code identities, catalog. Additive.",
    }),
};

/** A whole run log. */
export const runLogSchema = z.object({ ...runHeaderFields, steps: stepsSchema }).meta({
  title: "Run log",
  description:
    "The JSON document that records one run of a pipeline. Field names, nesting and value formats follow the run log of the Python 'runnable' project, so that logs written by either tool read the same. Extra fields are allowed (additive only); every field listed under 'required' must be present.",
});

/** `contracts/run-log.schema.json`: the run log format as JSON Schema (draft 2020-12). */
export function runLogJsonSchema(): Record<string, unknown> {
  return jsonSchemaDocument(runLogSchema, "run-log.schema.json");
}
