import { compileCheck } from "../../../core/compile-check.js";
import { runLogSchema } from "../../../core/run-log-schema.js";
import { runOpSchema } from "./store-schemas.js";

// Fast checks of run logs read back and of updates before they are written, compiled from the same zod
// schemas (core/compile-check.ts): tens of thousands of step logs are checked in milliseconds, and only
// when a check fails does zod run, to say precisely what is wrong and where.

const runLogCheck = compileCheck(runLogSchema);
const opCheck = compileCheck(runOpSchema);

/** True when `value` is a whole run log by the run log format (false: run the zod schema to learn why). */
export function isRunLogShape(value: unknown): boolean {
  return runLogCheck(value);
}

/** True when `op` is a well-formed update (false: run the zod schema to learn why). Nested branches and steps are not looked at. */
export function isOpShape(op: unknown): boolean {
  return opCheck(op);
}
