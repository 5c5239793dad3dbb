import { formatProblem, isRunnableError } from "../core/errors.js";

/** Exit codes of the `runnable` command. */
export const EXIT = { success: 0, runFailed: 1, badInput: 2, internal: 70 } as const;

/**
 * Prints an error for a person: expected errors as message + located problems + hint (stack only with
 * `--verbose`); anything else is a bug and prints its stack. Returns the exit code.
 */
export function reportError(error: unknown, verbose: boolean, write: (text: string) => void): number {
  if (isRunnableError(error)) {
    const lines = [`error: ${error.message}`];
    const listed = error.message.includes("\n") ? [] : error.problems;
    for (const problem of listed) lines.push(`  ${formatProblem(problem)}`);
    if (error.hint) lines.push(`hint: ${error.hint}`);
    if (verbose && error.stack) lines.push(error.stack);
    write(`${lines.join("\n")}\n`);
    if (error.code === "INTERNAL") return EXIT.internal;
    // The run started and was recorded as far as the storage allowed: a failed run, not bad input.
    return error.code === "STORAGE_FAILED" ? EXIT.runFailed : EXIT.badInput;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`internal error (this is a bug in runnable-ts; please report it):\n${text}\n`);
  return EXIT.internal;
}
