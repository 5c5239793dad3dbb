import { z } from "zod";
import { type Problem, RunnableError } from "../../../core/errors.js";
import type { BranchLog, LogLocation, RunLog, StepLog } from "../../../core/run-log.js";
import type { RunOp } from "./run-ops.js";
import { isOpShape, isRunLogShape } from "./run-log-shape.js";
import { runLogCorrupt } from "./store-errors.js";

// Schemas of run log data read back from disk; they follow run-log.schema.json (extra keys allowed).
// Parsed data is only validated: the original objects are kept so key order and extra fields survive.

const status = z.enum(["CREATED", "TRIGGERED", "PROCESSING", "SUCCESS", "FAIL"]);
const jsonObject = z.record(z.string(), z.unknown());
const nullableString = z.string().nullable();
const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/, "expected YYYY-MM-DD HH:MM:SS.ffffff");
const duration = z.string().regex(/^\d+:\d{2}:\d{2}(\.\d{6})?$/, "expected H:MM:SS.ffffff");

const codeIdentity = z.looseObject({
  code_identifier: nullableString,
  code_identifier_type: nullableString,
  code_identifier_dependable: z.boolean().nullable(),
  code_identifier_url: nullableString,
  code_identifier_message: nullableString,
});

const dataCatalog = z.looseObject({
  name: z.string().min(1),
  data_hash: z.string(),
  catalog_relative_path: z.string(),
  catalog_handler_location: z.string(),
  stage: z.enum(["get", "put"]),
});

const attempt = z.looseObject({
  attempt_number: z.number().int().min(1),
  start_time: timestamp,
  end_time: timestamp,
  duration,
  status,
  message: z.string(),
  parameters: jsonObject,
});

/** A location: (composite step key, branch key) pairs. */
export const locationSchema = z.array(z.tuple([z.string(), z.string()]));

const stepFields = {
  name: z.string(),
  internal_name: z.string(),
  status,
  step_type: z.string().min(1),
  message: z.string(),
  mock: z.boolean(),
  code_identities: z.array(codeIdentity),
  attempts: z.array(attempt),
  user_defined_metrics: jsonObject,
  data_catalog: z.array(dataCatalog),
};

/** A step log with its nested branches. */
export const stepLogSchema: z.ZodType = z.looseObject({
  ...stepFields,
  branches: z.record(
    z.string(),
    z.lazy(() => branchLogSchema),
  ),
});

/** A branch log with its nested steps. */
export const branchLogSchema: z.ZodType = z.looseObject({
  internal_name: z.string(),
  status,
  steps: z.record(
    z.string(),
    z.lazy(() => stepLogSchema),
  ),
});

/** A step log as stored alone (chunk or journal): nested branches are not looked at. */
export const stepChunkSchema = z.looseObject({ ...stepFields, branches: jsonObject, _location: locationSchema.optional() });

/** A branch log as stored alone: nested steps are not looked at. */
export const branchChunkSchema = z.looseObject({
  internal_name: z.string(),
  status,
  steps: jsonObject,
  _location: locationSchema.optional(),
});

const service = z.looseObject({ service_name: z.string().min(1), service_type: z.string().min(1) });

const dag = z.looseObject({
  start_at: z.string(),
  steps: z.record(z.string(), z.looseObject({ type: z.string(), name: z.string() })),
});

/** `run_config` of a run log. */
export const runConfigSchema = z.looseObject({
  executor: service,
  run_log_store: service,
  secrets_handler: service,
  catalog_handler: service,
  experiment_tracker: service,
  pipeline_file: nullableString,
  parameters_file: nullableString,
  configuration_file: nullableString,
  tag: nullableString,
  run_id: z.string(),
  variables: jsonObject,
  use_cached: z.boolean(),
  original_run_id: nullableString,
  dag,
  dag_hash: nullableString,
  execution_plan: z.string(),
});

const headerFields = {
  run_id: z.string().min(1),
  dag_hash: nullableString,
  use_cached: z.boolean(),
  tag: nullableString,
  original_run_id: nullableString,
  status,
  parameters: jsonObject,
  run_config: runConfigSchema,
};

/** A whole run log. */
export const runLogSchema = z.looseObject({ ...headerFields, steps: z.record(z.string(), stepLogSchema) });

/** A run log whose steps live elsewhere (chunked `RunLog.json`): its `steps` are not looked at. */
export const runHeaderFileSchema = z.looseObject({ ...headerFields, steps: jsonObject.optional() });

/** One update of a run log (a journal line, and what every store checks before writing). */
export const runOpSchema = z.discriminatedUnion("op", [
  z.looseObject({ op: z.literal("status"), location: locationSchema, payload: status }),
  z.looseObject({ op: z.literal("parameters"), location: locationSchema, payload: jsonObject }),
  z.looseObject({ op: z.literal("run_config"), location: locationSchema, payload: runConfigSchema }),
  z.looseObject({ op: z.literal("step"), location: locationSchema, seq: z.number().optional(), payload: stepChunkSchema }),
  z.looseObject({ op: z.literal("branch"), location: locationSchema, seq: z.number().optional(), payload: branchChunkSchema }),
  z.looseObject({ op: z.literal("remove"), location: locationSchema, payload: z.string().min(1) }),
]);

function issuesToProblems(error: z.ZodError, file: string | undefined, where: string): Problem[] {
  return error.issues.slice(0, 20).map((issue) => ({
    message: issue.message,
    ...(file === undefined ? {} : { file }),
    path: [where, ...issue.path.map(String)].filter((part) => part !== "").join("."),
  }));
}

function summarise(problems: Problem[], total: number): string {
  const first = problems[0];
  const summary = first ? `${first.path ? `at ${first.path}: ` : ""}${first.message}` : "invalid content";
  return total > 1 ? `${summary} (and ${total - 1} more problems)` : summary;
}

/**
 * Refuses to write what could not be read back: a run log (or update) that breaks run-log.schema.json
 * is an INTERNAL error (the caller built it wrongly), raised before anything is written.
 */
export function checkWritable(runId: string, kind: "run" | "op", value: RunLog | RunOp): void {
  if (kind === "run" ? isRunLogShape(value) : isOpShape(value)) return;
  const result = (kind === "run" ? runLogSchema : runOpSchema).safeParse(value);
  if (result.success) return;
  const problems = issuesToProblems(result.error, undefined, "");
  const what = kind === "run" ? "run log" : `"${(value as RunOp).op}" update`;
  const summary = summarise(problems, result.error.issues.length);
  throw new RunnableError("INTERNAL", `Run log "${runId}": refusing to write a ${what} that breaks the run log format: ${summary}`, {
    problems,
  });
}

/** Validates `value` with `schema`; returns it unchanged, or throws RUN_LOG_CORRUPT naming `file` and `where`. */
export function validated<T>(schema: z.ZodType, value: unknown, file: string, where = ""): T {
  const result = schema.safeParse(value);
  if (result.success) return value as T;
  const problems = issuesToProblems(result.error, file, where);
  throw runLogCorrupt(file, summarise(problems, result.error.issues.length), problems);
}

/** Parses JSON text, throwing RUN_LOG_CORRUPT naming `file` on a syntax error. */
export function parseJson(text: string, file: string, where = ""): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const at = where ? ` (${where})` : "";
    throw runLogCorrupt(file, `invalid JSON${at}: ${(error as Error).message}`, [], error);
  }
}

/** Parses and validates a whole run log file (a fast structural check first; zod says what is wrong when it fails). */
export function parseRunLogText(text: string, file: string): RunLog {
  const value = parseJson(text, file);
  if (isRunLogShape(value)) return value as RunLog;
  return validated<RunLog>(runLogSchema, value, file);
}

/** Types of the chunk schemas' results (validated data, original objects). */
export type StepChunk = StepLog & { _location?: LogLocation };
/** A branch log chunk with its optional stored location. */
export type BranchChunk = BranchLog & { _location?: LogLocation };
