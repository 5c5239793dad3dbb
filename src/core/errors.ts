/** Every error code the framework raises; check errors by `code`, never by `instanceof`. */
export type ErrorCode =
  | "YAML_SYNTAX"
  | "PIPELINE_INVALID"
  | "CONFIG_INVALID"
  | "PARAMETERS_INVALID"
  | "FILE_NOT_FOUND"
  | "MODULE_LOAD_FAILED"
  | "EXPORT_NOT_FOUND"
  | "CLI_USAGE"
  | "RUN_EXISTS"
  | "RUN_BUSY"
  | "RUN_NOT_FOUND"
  | "RUN_LOG_CORRUPT"
  | "CATALOG_ERROR"
  | "SECRET_NOT_FOUND"
  | "TASK_FAILED"
  | "RUN_FAILED"
  | "NOT_IN_TASK"
  | "UNSUPPORTED"
  | "TRACKER_ERROR"
  | "STORAGE_FAILED"
  | "STORE_UNAVAILABLE"
  | "INTERNAL";

/** One problem found in user input, located as precisely as the input allows. */
export interface Problem {
  message: string;
  file?: string;
  line?: number;
  col?: number;
  /** Dotted path inside the document, e.g. `dag.steps.hello.next`. */
  path?: string;
}

/** Options of a {@link RunnableError}. */
export interface RunnableErrorOptions {
  hint?: string;
  cause?: unknown;
  problems?: Problem[];
}

/** The one error type of the framework: a code, a message saying what/why, and how to fix it. */
export class RunnableError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly problems: Problem[];

  constructor(code: ErrorCode, message: string, options: RunnableErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RunnableError";
    this.code = code;
    this.hint = options.hint;
    this.problems = options.problems ?? [];
  }
}

/** True when `value` is a RunnableError (optionally of one of the given codes). */
export function isRunnableError(value: unknown, ...codes: ErrorCode[]): value is RunnableError {
  if (typeof value !== "object" || value === null) return false;
  const code = (value as { code?: unknown }).code;
  if ((value as { name?: unknown }).name !== "RunnableError" || typeof code !== "string") return false;
  return codes.length === 0 || codes.includes(code as ErrorCode);
}

/** Formats a problem as `file:line:col: message` (parts omitted when unknown). */
export function formatProblem(problem: Problem): string {
  const where = [problem.file, problem.line, problem.col].filter((p) => p !== undefined).join(":");
  return where ? `${where}: ${problem.message}` : problem.message;
}

/** The message of any thrown value, for step logs and warnings. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
