import { type Problem, RunnableError, isRunnableError } from "../../../core/errors.js";

/** RUN_NOT_FOUND naming the run and where the store looked. */
export function runNotFound(runId: string, where: string): RunnableError {
  return new RunnableError("RUN_NOT_FOUND", `No run log with id "${runId}" in ${where}`, {
    hint: "Check the run id (`runnable runs list` shows the runs a store holds) and the run log store configured.",
  });
}

/** RUN_EXISTS naming the run and the store location. */
export function runExists(runId: string, where: string): RunnableError {
  return new RunnableError("RUN_EXISTS", `A run log with id "${runId}" already exists in ${where}`, {
    hint: "Use a new run id (omit it to get a generated one) or remove the old run log first.",
  });
}

/** RUN_LOG_CORRUPT naming the file and what is wrong with it. */
export function runLogCorrupt(file: string, what: string, problems: Problem[] = [], cause?: unknown): RunnableError {
  return new RunnableError("RUN_LOG_CORRUPT", `Run log file ${file} is corrupt: ${what}`, {
    hint: "The file was edited or a foreign process wrote it; fix or remove the file (a copy of the run is safest).",
    problems,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** INTERNAL error for a write the store cannot place (the caller broke the port's rules). */
export function misplacedWrite(runId: string, message: string): RunnableError {
  return new RunnableError("INTERNAL", `Run log "${runId}": ${message}`, {
    hint: "Write the composite step and its branch logs before the logs nested in them.",
  });
}

/** What `work` gives, or undefined when it fails with RUN_NOT_FOUND (a driver answers "no such run" with undefined). */
export async function unlessNotFound<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (error) {
    if (isRunnableError(error) && error.code === "RUN_NOT_FOUND") return undefined;
    throw error;
  }
}
