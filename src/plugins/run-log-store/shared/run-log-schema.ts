import type { z } from "zod";
import { type Problem, RunnableError } from "../../../core/errors.js";
import type { BranchLog, LogLocation, RunLog, StepLog } from "../../../core/run-log.js";
import { runLogSchema } from "../../../core/run-log-schema.js";
import { issueProblems, type ZodIssue } from "../../../source/zod-issues.js";
import type { RunOp } from "./run-ops.js";
import { isOpShape, isRunLogShape } from "./run-log-shape.js";
import { runLogCorrupt } from "./store-errors.js";
import { runOpSchema } from "./store-schemas.js";

// What the stores check before they write and after they read, by the run log format (core/run-log-schema.ts,
// the one source) and the pieces the stores keep apart (store-schemas.ts). Parsed data is only validated:
// the original objects are kept so key order and extra fields survive.

/** The run log format's schemas, where the stores have always imported them from. */
export { branchLogSchema, runConfigSchema, runLogSchema, stepLogSchema } from "../../../core/run-log-schema.js";
/** The schemas of the pieces stores keep apart. */
export { branchChunkSchema, locationSchema, runHeaderFileSchema, runOpSchema, stepChunkSchema } from "./store-schemas.js";

/** The first 20 issues as problems naming `file` and the path inside it (after `where`, e.g. a journal line). */
function issuesToProblems(error: z.ZodError, value: unknown, file: string | undefined, where: string): Problem[] {
  const wording = { unknownKey: ({ issue }: { issue: ZodIssue }) => issue.message, invalid: ({ issue }: { issue: ZodIssue }) => issue.message };
  return issueProblems(error.issues.slice(0, 20), { source: { file }, at: where ? [where] : [], input: value }, wording);
}

function summarise(problems: Problem[], total: number): string {
  const first = problems[0];
  const summary = first ? `${first.path ? `at ${first.path}: ` : ""}${first.message}` : "invalid content";
  return total > 1 ? `${summary} (and ${total - 1} more problems)` : summary;
}

/**
 * Refuses to write what could not be read back: a run log (or update) that breaks the run log format
 * is an INTERNAL error (the caller built it wrongly), raised before anything is written.
 */
export function checkWritable(runId: string, kind: "run" | "op", value: RunLog | RunOp): void {
  if (kind === "run" ? isRunLogShape(value) : isOpShape(value)) return;
  const result = (kind === "run" ? runLogSchema : runOpSchema).safeParse(value);
  if (result.success) return;
  const problems = issuesToProblems(result.error, value, undefined, "");
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
  const problems = issuesToProblems(result.error, value, file, where);
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
