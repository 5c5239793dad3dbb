import pc from "picocolors";
import type { RunLog, StepLog } from "../core/run-log.js";
import { parseDuration } from "../core/time.js";

/** Options of the run summary. */
export interface SummaryOptions {
  color: boolean;
  /** Expand composite steps to this many branches each (the rest are counted). */
  branchLimit: number;
}

const seconds = (micros: number): string => (Number.isNaN(micros) ? "?" : `${(micros / 1e6).toFixed(3)} s`);

function stepDuration(step: StepLog): number {
  return step.attempts.reduce((sum, a) => sum + parseDuration(a.duration), 0);
}

/** A readable summary of a run: header, parameters, steps (attempts, durations, catalog), branches summarised. */
export function renderRunSummary(runLog: RunLog, options: SummaryOptions): string {
  const c = options.color ? pc : pc.createColors(false);
  const status = (s: string): string => (s === "SUCCESS" ? c.green(s) : s === "FAIL" ? c.red(s) : c.yellow(s));
  const out: string[] = [];
  const first = Object.values(runLog.steps)[0]?.attempts[0]?.start_time;
  const lastStep = Object.values(runLog.steps).at(-1);
  const last = lastStep?.attempts.at(-1)?.end_time;
  out.push(`${c.bold("Run")} ${runLog.run_id}  ${status(runLog.status)}`);
  out.push(`  pipeline: ${runLog.run_config.pipeline_file || "(SDK)"}   tag: ${runLog.tag || "-"}   dag_hash: ${runLog.dag_hash || "-"}`);
  if (first) out.push(`  started:  ${first}   ended: ${last ?? "-"}`);
  const identity = lastStep?.code_identities[0];
  if (identity) out.push(`  code:     ${identity.code_identifier ?? "not a git repository"}${identity.code_identifier_dependable ? "" : " (uncommitted changes)"}`);
  out.push(c.bold("Parameters"));
  const params = Object.entries(runLog.parameters);
  if (params.length === 0) out.push("  (none)");
  for (const [key, value] of params) out.push(`  ${key} = ${truncate(JSON.stringify(value), 100)}`);
  out.push(c.bold("Steps"));
  renderSteps(runLog.steps, 1, out, options, status);
  return `${out.join("\n")}\n`;
}

function renderSteps(steps: Record<string, StepLog>, depth: number, out: string[], options: SummaryOptions, status: (s: string) => string): void {
  const pad = "  ".repeat(depth);
  for (const step of Object.values(steps)) {
    const attempts = step.attempts.length;
    out.push(`${pad}${status(step.status).padEnd(options.color ? 17 : 7)} ${step.internal_name}  [${step.step_type}]  ${seconds(stepDuration(step))}${attempts > 1 ? `  ${attempts} attempts` : ""}${step.mock ? "  (mock)" : ""}`);
    for (const attempt of step.attempts) {
      if (attempt.status === "FAIL") out.push(`${pad}  attempt ${attempt.attempt_number}: ${attempt.status} ${attempt.message}`);
    }
    if (step.message && step.attempts.every((a) => a.message !== step.message)) out.push(`${pad}  ${step.message}`);
    for (const entry of step.data_catalog) out.push(`${pad}  catalog ${entry.stage} ${entry.name}  sha256:${entry.data_hash.slice(0, 12)}`);
    const metrics = Object.keys(step.user_defined_metrics);
    if (metrics.length) out.push(`${pad}  metrics: ${truncate(metrics.join(", "), 100)}`);
    const branches = Object.values(step.branches);
    if (branches.length === 0) continue;
    const counts = new Map<string, number>();
    for (const b of branches) counts.set(b.status, (counts.get(b.status) ?? 0) + 1);
    out.push(`${pad}  ${branches.length} branches: ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}`);
    const shown = [...branches.filter((b) => b.status !== "SUCCESS"), ...branches.filter((b) => b.status === "SUCCESS")].slice(0, options.branchLimit);
    for (const branch of shown) {
      out.push(`${pad}  ${c(options).bold("branch")} ${branch.internal_name}  ${status(branch.status)}`);
      renderSteps(branch.steps, depth + 2, out, options, status);
    }
    if (shown.length < branches.length) out.push(`${pad}  … ${branches.length - shown.length} more branches (use --branches N to show more)`);
  }
}

const c = (options: SummaryOptions) => (options.color ? pc : pc.createColors(false));

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
