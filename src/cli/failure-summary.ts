import type { RunLog, StepLog } from "../core/run-log.js";
import { isExecutionLog } from "../core/names.js";

/** A step that made a run fail: the deepest failed step (a task, or a composite that failed by itself). */
export interface FailedStep {
  internalName: string;
  reason: string;
  /** Where its execution log is (`<catalog location>/<run>/<name>`), when one was stored. */
  log: string | undefined;
}

const TERMINALS = new Set(["success", "fail"]);

function reasonOf(step: StepLog): string {
  const last = step.attempts.at(-1);
  const text = last?.message || step.message || "failed";
  const line = text.split("\n")[0] ?? text;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function logOf(step: StepLog): string | undefined {
  const entry = [...step.data_catalog].reverse().find((e) => e.stage === "put" && isExecutionLog(e.name));
  return entry ? `${entry.catalog_handler_location}/${entry.catalog_relative_path}` : undefined;
}

/** The failed steps of a run, outermost first in walk order; a composite counts only when nothing inside it failed. */
export function failedSteps(runLog: RunLog): FailedStep[] {
  const found: FailedStep[] = [];
  // Walked without recursion (runs nest deeply); a stack of step lists, reversed to keep the walk order.
  const stack: StepLog[] = Object.values(runLog.steps).reverse();
  while (stack.length > 0) {
    const step = stack.pop()!;
    if (step.status !== "FAIL" || TERMINALS.has(step.step_type)) continue;
    const inner = Object.values(step.branches).flatMap((branch) => Object.values(branch.steps));
    const failedInside = inner.some((child) => child.status === "FAIL" && !TERMINALS.has(child.step_type));
    if (failedInside) stack.push(...inner.reverse());
    else found.push({ internalName: step.internal_name, reason: reasonOf(step), log: logOf(step) });
  }
  return found;
}

/**
 * The last line of a failed run: which steps failed, why, and where their execution logs are
 * (the first few; the rest are counted), e.g.
 * `failed: step "train": Command failed with exit code 1 (log: .catalog/r1/train.execution.log)`.
 */
export function failureLine(runLog: RunLog, shown = 3): string | undefined {
  if (runLog.status !== "FAIL") return undefined;
  const failed = failedSteps(runLog);
  if (failed.length === 0) return undefined;
  const parts = failed.slice(0, shown).map((step) => `step "${step.internalName}": ${step.reason}${step.log ? ` (log: ${step.log})` : ""}`);
  const more = failed.length > shown ? `; and ${failed.length - shown} more (runnable runs show ${runLog.run_id})` : "";
  return `failed: ${parts.join("; ")}${more}`;
}

/**
 * For a failed run: when its pipeline's description says how to run it (a `runnable execute ...`
 * line, as the examples have) with a `-p` or `-c` this run did not get, which flag was missing.
 */
export function usageNote(runLog: RunLog): string | undefined {
  const description = (runLog.run_config.dag as { description?: unknown }).description;
  if (runLog.status !== "FAIL" || typeof description !== "string") return undefined;
  const usage = description
    .split("\n")
    .map((line) => line.trim())
    .find((line) => /\brunnable execute\b/.test(line));
  if (!usage) return undefined;
  const missing: string[] = [];
  if (/(^|\s)(-p|--parameters-file)(\s|=)/.test(usage) && !runLog.run_config.parameters_file) missing.push("-p (initial parameters)");
  if (/(^|\s)(-c|--config-file)(\s|=)/.test(usage) && !runLog.run_config.configuration_file) missing.push("-c (a services config)");
  if (missing.length === 0) return undefined;
  return `note: this run had no ${missing.join(" and no ")}; the pipeline's description says to run it as: ${usage}`;
}
