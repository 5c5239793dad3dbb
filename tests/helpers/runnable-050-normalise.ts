import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/** Which run log format a result came from: runnable 0.50.0's or this project's (February-2024 shape). */
export type Generation = "0.50" | "ours";

/** One step of a normalised run: its status, leaf attempts, metrics and branches. */
export interface NormalisedStep {
  status: string;
  /** Statuses of the attempts, in order (leaf steps only: composites record none in 0.50). */
  attempts?: string[];
  /** Present (true) only when the step was mocked. */
  mock?: true;
  /** The step's metrics as plain values (only when it recorded some). */
  metrics?: Record<string, unknown>;
  /** Branches of a composite, keyed by the branch's internal name. */
  branches?: Record<string, NormalisedBranch>;
}

/** One branch of a composite step. */
export interface NormalisedBranch {
  status: string;
  steps: Record<string, NormalisedStep>;
}

/** One comparable shape of a run, whichever generation wrote it. */
export interface Normalised {
  /** Exit code of each command of the case (two for a run and its retry). */
  exitCodes: number[];
  /** The run's status; null when no run log was found (a crash before it, or an in-memory store). */
  status: string | null;
  /** Steps by internal name; branches nested. */
  steps: Record<string, NormalisedStep>;
  /** A job's log (runnable 0.50 jobs: `PythonJob`, ...). */
  job?: Omit<NormalisedStep, "branches">;
  /** Final parameters as plain values; an object parameter is `{object: name}`. */
  parameters: Record<string, unknown>;
  /** Catalog entries (execution logs left out): `"<step internal name> <stage> <name>"` → SHA-256. */
  catalog: Record<string, string>;
  /** Pickled objects in the run's catalog folder (`df.dill`), sorted. */
  objects: string[];
  /** Other files of the run's catalog folder (data, output notebooks; no logs, no objects), sorted. */
  files: string[];
}

type Json = Record<string, any>;

const LEAF_TYPES = new Set(["task", "stub", "success", "fail"]);
const OBJECT_FILE = /\.(dill|pickle)$/;
/** An execution log: runnable's `<step>.execution.log`, ours with map items as `_<item>` suffixes. */
const EXECUTION_LOG = /\.execution\.log(_[^/]*)?$/;

/** A 0.50 parameter `{kind, value, description}` as a plain value (`{object: name}` for pickled ones). */
function plain050(parameter: unknown): unknown {
  if (!parameter || typeof parameter !== "object" || !("kind" in parameter)) return parameter;
  const { kind, value } = parameter as { kind: string; value: unknown };
  return kind === "object" ? { object: value } : value;
}

/**
 * Parameters as plain values; an object parameter is `{object: name}` (0.50: its kind inline; ours: the
 * record's `parameter_kinds`).
 */
function plainParameters(parameters: Json | undefined, generation: Generation, kinds?: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters ?? {})) {
    if (generation === "0.50") out[key] = plain050(value);
    else out[key] = kinds?.[key] === "object" ? { object: value } : value;
  }
  return out;
}

/** 0.50 keeps metrics on each attempt (`{kind: metric, value}`); ours on the step (plain values). */
function metricsOf(step: Json, generation: Generation): Record<string, unknown> {
  if (generation === "ours" && Object.keys(step.user_defined_metrics ?? {}).length > 0) return { ...step.user_defined_metrics };
  const attempts: Json[] = step.attempts ?? [];
  const last = attempts[attempts.length - 1];
  return plainParameters(last?.user_defined_metrics, "0.50");
}

function normaliseStep(step: Json, generation: Generation): NormalisedStep {
  const out: NormalisedStep = { status: step.status };
  if (LEAF_TYPES.has(step.step_type)) out.attempts = (step.attempts ?? []).map((a: Json) => a.status);
  if (step.mock === true) out.mock = true;
  const metrics = metricsOf(step, generation);
  if (Object.keys(metrics).length > 0) out.metrics = metrics;
  const branches = Object.entries((step.branches ?? {}) as Record<string, Json>);
  if (branches.length > 0) {
    out.branches = {};
    for (const [key, branch] of branches) out.branches[key] = { status: branch.status, steps: normaliseSteps(branch.steps, generation) };
  }
  return out;
}

function normaliseSteps(steps: Json | undefined, generation: Generation): Record<string, NormalisedStep> {
  const out: Record<string, NormalisedStep> = {};
  for (const [key, step] of Object.entries((steps ?? {}) as Record<string, Json>)) out[key] = normaliseStep(step, generation);
  return out;
}

/** Every catalog entry of the run (steps, branches, the job), execution logs left out. */
function catalogEntries(runLog: Json): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (where: string, entries: Json[] | undefined) => {
    for (const entry of entries ?? []) {
      if (EXECUTION_LOG.test(entry.name)) continue;
      out[`${where} ${entry.stage} ${entry.name}`] = entry.data_hash;
    }
  };
  const walk = (steps: Json | undefined) => {
    for (const step of Object.values((steps ?? {}) as Record<string, Json>)) {
      add(step.internal_name, step.data_catalog);
      for (const branch of Object.values((step.branches ?? {}) as Record<string, Json>)) walk(branch.steps);
    }
  };
  walk(runLog.steps);
  if (runLog.job) add("job", runLog.job.data_catalog);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

/**
 * One comparable shape from either run log format (`runLog` null: none was found). `catalogRunDir` is
 * the run's folder in the file-system catalog (`.catalog/<run id>`), or null when the catalog keeps
 * nothing on disk.
 */
export async function normalise(runLog: Json | null, catalogRunDir: string | null, generation: Generation, exitCodes: number[]): Promise<Normalised> {
  const files = catalogRunDir ? (await filesUnder(catalogRunDir)).filter((name) => !EXECUTION_LOG.test(name)) : [];
  const result: Normalised = {
    exitCodes,
    status: runLog?.status ?? null,
    steps: normaliseSteps(runLog?.steps, generation),
    parameters: plainParameters(runLog?.parameters, generation, runLog?.parameter_kinds),
    catalog: runLog ? catalogEntries(runLog) : {},
    objects: files.filter((name) => !name.includes("/") && OBJECT_FILE.test(name)),
    files: files.filter((name) => name.includes("/") || !OBJECT_FILE.test(name)),
  };
  if (runLog?.job) {
    const { branches: _none, ...job } = normaliseStep({ ...runLog.job, step_type: "task" }, generation);
    result.job = job;
  }
  return result;
}
