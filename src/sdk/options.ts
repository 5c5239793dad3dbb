import { RunnableError } from "../core/errors.js";
import { nearest } from "../core/suggest.js";

// The SDK is strict like the YAML: an option it does not know (a typo such as `maxAttempt`) is an
// error naming the nearest known option, not a setting silently ignored. TypeScript catches most of
// these at compile time; this catches the rest (JavaScript, spread objects, `as any`).

/** Throws PIPELINE_INVALID when `options` has a key not in `allowed` (with the nearest allowed key). */
export function checkOptions(what: string, options: object, allowed: readonly string[]): void {
  const unknown = Object.keys(options).filter((key) => !allowed.includes(key) && (options as Record<string, unknown>)[key] !== undefined);
  if (unknown.length === 0) return;
  const problems = unknown.map((key) => {
    const near = nearest(key, allowed);
    return `unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ""}`;
  });
  throw new RunnableError("PIPELINE_INVALID", `${what}: ${problems.join("; ")}`, { hint: `allowed options: ${allowed.join(", ")}` });
}

/** Options every step takes. */
export const STEP_KEYS = ["name", "next", "onFailure", "terminateWith"] as const;
/** Options of task steps. */
export const TASK_KEYS = [...STEP_KEYS, "catalog", "maxAttempts", "secrets", "overrides"] as const;
