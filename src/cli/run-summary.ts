import pc from "picocolors";
import type { BranchLog, CodeIdentity, RunLog, StepLog } from "../core/run-log.js";
import { parseDuration } from "../core/time.js";
import { stepMetricPoints } from "../ui/metric-values.js";

/** Options of the run summary. */
export interface SummaryOptions {
  color: boolean;
  /** Expand composite steps to this many branches each (the rest are counted). */
  branchLimit: number;
  /** The run is PROCESSING but the process running it is gone. */
  stale?: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

interface Render {
  out: string[];
  c: Colors;
  options: SummaryOptions;
  status: (s: string) => string;
}

const seconds = (micros: number): string => (Number.isNaN(micros) ? "?" : `${(micros / 1e6).toFixed(3)} s`);

function stepDuration(step: StepLog): number {
  return step.attempts.reduce((sum, a) => sum + parseDuration(a.duration), 0);
}

function branchDuration(branch: BranchLog): number {
  let total = 0;
  for (const step of Object.values(branch.steps)) total += stepDuration(step);
  return total;
}

/**
 * A readable summary of a run: header, parameters, steps (attempts, durations, catalog). Composite
 * steps show counts by status and branch durations, then at most `branchLimit` branches (failed ones
 * first), so a map over 10,000 items stays a screenful; the work is linear in the run's size.
 */
export function renderRunSummary(runLog: RunLog, options: SummaryOptions): string {
  const c = options.color ? pc : pc.createColors(false);
  const status = (s: string): string => (s === "SUCCESS" ? c.green(s) : s === "FAIL" ? c.red(s) : c.yellow(s));
  const out: string[] = [];
  const topSteps = Object.values(runLog.steps);
  const first = topSteps[0]?.attempts[0]?.start_time;
  const lastStep = topSteps.at(-1);
  const last = lastStep?.attempts.at(-1)?.end_time;
  const staleNote = options.stale ? c.yellow(` (stale: the process running it is gone; \`runnable retry ${runLog.run_id}\` continues it)`) : "";
  out.push(`${c.bold("Run")} ${runLog.run_id}  ${status(runLog.status)}${staleNote}`);
  out.push(`  pipeline: ${runLog.run_config.pipeline_file || "(SDK)"}   tag: ${runLog.tag || "-"}   dag_hash: ${runLog.dag_hash || "-"}`);
  if (first) out.push(`  started:  ${first}   ended: ${last ?? "-"}`);
  const identity = lastStep?.code_identities[0];
  if (identity) out.push(`  code:     ${codeText(identity)}`);
  out.push(c.bold("Parameters"));
  const params = Object.entries(runLog.parameters);
  if (params.length === 0) out.push("  (none)");
  // An object parameter names an object in the catalog; a metric one is also a step's metric.
  const kinds = runLog.parameter_kinds ?? {};
  for (const [key, value] of params)
    out.push(`  ${key} = ${truncate(JSON.stringify(value) ?? "null", 100)}${Object.hasOwn(kinds, key) ? `  (${kinds[key]})` : ""}`);
  out.push(c.bold("Steps"));
  renderSteps(runLog.steps, 1, { out, c, options, status });
  return `${out.join("\n")}\n`;
}

/** The code identity in a few words: the commit (and whether there were changes), or why there is none. */
function codeText(identity: CodeIdentity): string {
  if (identity.code_identifier === null) return identity.code_identifier_message || "unknown (not a git repository)";
  if (identity.code_identifier_dependable) return identity.code_identifier;
  const detail = identity.code_identifier_message ? `: ${identity.code_identifier_message}` : "";
  return identity.code_identifier_type === "git" ? `${identity.code_identifier} (with uncommitted changes${detail})` : identity.code_identifier;
}

function renderSteps(steps: Record<string, StepLog>, depth: number, r: Render): void {
  const pad = "  ".repeat(depth);
  for (const step of Object.values(steps)) {
    const attempts = step.attempts.length;
    r.out.push(
      `${pad}${r.status(step.status).padEnd(r.options.color ? 17 : 7)} ${step.internal_name}  [${step.step_type}]  ${seconds(stepDuration(step))}` +
        `${attempts > 1 ? `  ${attempts} attempts` : ""}${step.mock ? "  (mock)" : ""}`,
    );
    for (const attempt of step.attempts) {
      if (attempt.status === "FAIL") r.out.push(`${pad}  attempt ${attempt.attempt_number}: ${attempt.status} ${attempt.message}`);
    }
    if (step.message && step.attempts.every((a) => a.message !== step.message)) r.out.push(`${pad}  ${step.message}`);
    for (const entry of step.data_catalog) r.out.push(`${pad}  catalog ${entry.stage} ${entry.name}  sha256:${entry.data_hash.slice(0, 12)}`);
    for (const line of metricLines(step)) r.out.push(`${pad}  metric ${line}`);
    renderBranches(Object.values(step.branches), depth, r);
  }
}

function renderBranches(branches: BranchLog[], depth: number, r: Render): void {
  if (branches.length === 0) return;
  const pad = "  ".repeat(depth);
  const counts = new Map<string, number>();
  for (const b of branches) counts.set(b.status, (counts.get(b.status) ?? 0) + 1);
  r.out.push(`${pad}  ${branches.length} branches: ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}${durationStats(branches)}`);
  const shown: BranchLog[] = [];
  for (const b of branches) if (shown.length < r.options.branchLimit && b.status !== "SUCCESS") shown.push(b);
  for (const b of branches) if (shown.length < r.options.branchLimit && b.status === "SUCCESS") shown.push(b);
  for (const branch of shown) {
    r.out.push(`${pad}  ${r.c.bold("branch")} ${branch.internal_name}  ${r.status(branch.status)}`);
    renderSteps(branch.steps, depth + 2, r);
  }
  if (shown.length < branches.length) r.out.push(`${pad}  … ${branches.length - shown.length} more branches (use --branches N to show more)`);
}

/** `; durations median 0.010 s, slowest 0.250 s (m.17)` for more than two branches. */
function durationStats(branches: BranchLog[]): string {
  if (branches.length < 3) return "";
  const timed = branches.map((b) => ({ name: b.internal_name, micros: branchDuration(b) })).filter((t) => !Number.isNaN(t.micros));
  if (timed.length === 0) return "";
  const sorted = timed.map((t) => t.micros).sort((a, b) => a - b);
  const slowest = timed.reduce((a, b) => (b.micros > a.micros ? b : a));
  return `; durations median ${seconds(sorted[Math.floor(sorted.length / 2)]!)}, slowest ${seconds(slowest.micros)} (${slowest.name})`;
}

const valueText = (value: unknown): string => truncate(JSON.stringify(value) ?? "null", 40);

/** `key = value` per metric; step-wise ones add the last step and the first values: `loss = 0.1 at step 9 (10 steps: 0.9, 0.5, …)`. */
function metricLines(step: StepLog): string[] {
  const lines: string[] = [];
  for (const [key, points] of stepMetricPoints(step)) {
    const last = points.at(-1);
    if (!last) continue;
    const single = points.length === 1 && last.step === 0;
    const trail = single
      ? ""
      : ` at step ${last.step} (${points.length} step${points.length > 1 ? "s" : ""}: ${points.map((p) => valueText(p.value)).join(", ")})`;
    lines.push(truncate(`${key} = ${valueText(last.value)}${trail}`, 110));
  }
  return lines;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
