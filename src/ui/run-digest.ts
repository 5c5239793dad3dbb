import type { RunLog, Status } from "../core/run-log.js";
import type { RunSummary } from "../ports/run-log-store.js";
import { lastMetricValues } from "./metric-values.js";
import { walkSteps } from "./walk.js";

/** What the runs list shows of a run: its summary plus times, parameters and last metric values. */
export interface RunDigest {
  run_id: string;
  status: Status;
  /** PROCESSING but its orchestrator is gone. */
  stale: boolean;
  tag: string | null;
  pipeline_file: string | null;
  updated_ms: number | null;
  /** Epoch ms of the first attempt's start (naive local times read as this machine's local time). */
  start_ms: number | null;
  /** Epoch ms of the last attempt's end. */
  end_ms: number | null;
  /** Final parameters; long values are cut (the run page shows them whole). */
  parameters: Record<string, unknown>;
  /** The last value of each metric key (over every step, in execution order). */
  metrics: Record<string, unknown>;
  /** Step logs in the run (nested ones included). */
  step_count: number;
  /** Internal names of failed steps (first few). */
  failed_steps: string[];
  /** False while only the store's summary is known (the rest is being read). */
  complete: boolean;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Epoch ms of runnable's naive local timestamp `YYYY-MM-DD HH:MM:SS.ffffff`, or null. */
export function parseTimestamp(text: string | undefined): number | null {
  const match = text ? TIMESTAMP.exec(text) : null;
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = match[7] ? Number(match[7].padEnd(6, "0")) / 1000 : 0;
  return new Date(y, mo - 1, d, h, mi, s).getTime() + fraction;
}

/** A digest from the store's summary alone (before the run has been read). */
export function digestFromSummary(summary: RunSummary): RunDigest {
  return {
    run_id: summary.run_id,
    status: summary.status,
    stale: summary.stale === true,
    tag: summary.tag,
    pipeline_file: summary.pipeline_file,
    updated_ms: summary.updated_ms,
    start_ms: null,
    end_ms: null,
    parameters: {},
    metrics: {},
    step_count: 0,
    failed_steps: [],
    complete: false,
  };
}

function shortValue(value: unknown): unknown {
  if (typeof value === "string") return value.length > 200 ? `${value.slice(0, 199)}…` : value;
  if (typeof value !== "object" || value === null) return value;
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : value;
}

/** The digest of a whole run log (linear in its size). */
export function digestRun(run: RunLog, summary: RunSummary): RunDigest {
  let start: number | null = null;
  let end: number | null = null;
  let count = 0;
  const metrics: Record<string, unknown> = {};
  const failed: string[] = [];
  walkSteps(run, ({ step }) => {
    count++;
    if (step.status === "FAIL" && failed.length < 5 && step.step_type !== "fail") failed.push(step.internal_name);
    for (const attempt of step.attempts) {
      const s = parseTimestamp(attempt.start_time);
      const e = parseTimestamp(attempt.end_time);
      if (s !== null && (start === null || s < start)) start = s;
      if (e !== null && (end === null || e > end)) end = e;
    }
    Object.assign(metrics, lastMetricValues(step));
  });
  const parameters = Object.fromEntries(Object.entries(run.parameters).map(([k, v]) => [k, shortValue(v)]));
  return {
    ...digestFromSummary({ ...summary, status: run.status }),
    start_ms: start,
    end_ms: end,
    parameters,
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, shortValue(v)])),
    step_count: count,
    failed_steps: failed,
    complete: true,
  };
}
