import { RunnableError } from "../core/errors.js";
import type { TrackedPoint } from "../core/metrics.js";
import type { DataCatalog, Status } from "../core/run-log.js";
import type { StopReason } from "../core/stop.js";
import type { Catalog, ContentWriter } from "../ports/catalog.js";
import type { ExperimentTracker, TrackedBranch, TrackedRun } from "../ports/experiment-tracker.js";
import type { TaskInvocation, TaskOutcome, TaskRunner } from "../ports/task-runner.js";

/** A tracker that records every call (for asserting what a run published). */
export interface RecordingTracker extends ExperimentTracker {
  readonly runs: TrackedRun[];
  /** Every publish with points; `branches` are the map items and parallel branches the step ran in (outermost first). */
  readonly published: Array<{ step: string; points: TrackedPoint[]; branches?: TrackedBranch[] }>;
  readonly ended: Status[];
  /** Map items and parallel branches that ended: the branch's key and its status. */
  readonly branchesEnded: Array<{ branch: string; status: Status }>;
}

/** Creates a {@link RecordingTracker}. */
export function recordingTracker(): RecordingTracker {
  const runs: TrackedRun[] = [];
  const published: RecordingTracker["published"] = [];
  const ended: Status[] = [];
  const branchesEnded: RecordingTracker["branchesEnded"] = [];
  return {
    type: "recording",
    traits: {},
    recordedConfig: {},
    runs,
    published,
    ended,
    branchesEnded,
    startRun: async (run) => void runs.push(run),
    publish: async (step, points, branches) => {
      const all = [...points];
      if (all.length > 0) published.push({ step, points: all, ...(branches?.length ? { branches: [...branches] } : {}) });
    },
    endBranch: async (branches, status) => void branchesEnded.push({ branch: branches.at(-1)!.branch, status }),
    endRun: async (status) => void ended.push(status),
    clientContext: () => ({}),
  };
}

/** A scripted attempt given as a function of the invocation. */
export type ScriptedFunction = (invocation: TaskInvocation) => Promise<TaskOutcome> | TaskOutcome;

/** What a scripted task does on one attempt: succeed with parameters, fail, or run a function. */
export type ScriptedAttempt =
  | {
      parameters?: Record<string, unknown>;
      /** Values of the step's declared `returns` by name (objects: their names, as a runner hands them back). */
      returns?: Record<string, unknown>;
      metrics?: Array<{ key: string; value: unknown; step?: number }>;
      output?: string;
    }
  | { fail: string; output?: string }
  | ScriptedFunction;

/**
 * A task runner following a script instead of running commands: `script[command]` lists what each
 * attempt of a task with that command does (the last entry repeats). Commands it does not know fail.
 * Every invocation is recorded in `calls` (resolved internal name and attempt number).
 */
export interface ScriptedRunner extends TaskRunner {
  readonly calls: Array<{ internalName: string; attempt: number; parameters: Record<string, unknown> }>;
}

/** Creates a {@link ScriptedRunner} serving `commandTypes` (default: every built-in kind). */
export function scriptedRunner(
  script: Record<string, ScriptedAttempt[]>,
  commandTypes: readonly string[] = ["shell", "python", "notebook", "typescript", "javascript"],
): ScriptedRunner {
  const calls: ScriptedRunner["calls"] = [];
  const seen = new Map<string, number>();
  return {
    commandTypes,
    calls,
    async run(invocation) {
      calls.push({ internalName: invocation.internalName, attempt: invocation.attempt, parameters: { ...invocation.parameters } });
      const steps = script[invocation.node.task.command];
      if (!steps || steps.length === 0) return { failure: `no script for command "${invocation.node.task.command}"`, parameters: {}, metrics: [] };
      const key = `${invocation.internalName}`;
      const index = seen.get(key) ?? 0;
      seen.set(key, index + 1);
      const step = steps[Math.min(index, steps.length - 1)]!;
      if (typeof step === "function") return step(invocation);
      if (step.output) invocation.output.write("stdout", step.output);
      if ("fail" in step) return { failure: step.fail, parameters: {}, metrics: [] };
      const metrics = (step.metrics ?? []).map((m) => ({ key: m.key, value: m.value, step: m.step ?? 0, time_ms: 0 }));
      return { parameters: step.parameters ?? {}, metrics, ...(step.returns && { returns: step.returns }) };
    },
  };
}

/** A scripted attempt that waits until it is stopped (the run's stop, its time limit), then returns `outcome`. */
export function untilStopped(outcome: TaskOutcome = { parameters: {}, metrics: [] }): ScriptedFunction {
  return (invocation) =>
    new Promise((resolve) => {
      if (invocation.signal.aborted) resolve(outcome);
      else invocation.signal.addEventListener("abort", () => resolve(outcome), { once: true });
    });
}

/** A scripted attempt that stops the whole run (aborts `stop` with `reason`) and waits until the stop reaches it. */
export function stopsRun(stop: AbortController, reason: StopReason): ScriptedFunction {
  return (invocation) => {
    stop.abort(reason);
    return untilStopped()(invocation);
  };
}

/** A scripted attempt that takes `ms` (unless stopped first), then succeeds with `parameters`. */
export function takes(ms: number, parameters: Record<string, unknown> = {}): ScriptedFunction {
  return (invocation) =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve({ parameters, metrics: [] });
      };
      const timer = setTimeout(done, ms);
      invocation.signal.addEventListener("abort", done, { once: true });
    });
}

/** `times` failing attempts (each with `message`), for a script that then succeeds: `[...failsTimes(2, "no"), { parameters }]`. */
export function failsTimes(times: number, message: string): ScriptedAttempt[] {
  return Array.from({ length: times }, () => ({ fail: message }));
}

/** A clock for engine tests: starts at `startMicros` and moves by `stepMicros` on every reading. */
export function fixedClock(startMicros = Date.UTC(2026, 0, 1) * 1000, stepMicros = 1_000): () => number {
  let now = startMicros - stepMicros;
  return () => (now += stepMicros);
}

/** A catalog keeping files in memory (put reads nothing from disk: it records the pattern as the file). */
export interface MemoryCatalog extends Catalog {
  readonly files: Map<string, Uint8Array>;
}

const memoryRecord = (name: string, runId: string, stage: DataCatalog["stage"]): DataCatalog => ({
  name,
  data_hash: "0".repeat(64),
  catalog_relative_path: `${runId}/${name}`,
  catalog_handler_location: "memory",
  stage,
});

/** A content writer keeping its chunks until commit puts them in `files`. */
function memoryWriter(files: Map<string, Uint8Array>, name: string, runId: string): ContentWriter {
  const parts: Uint8Array[] = [];
  let bytes = 0;
  return {
    get bytes() {
      return bytes;
    },
    write(chunk) {
      const data = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
      parts.push(data);
      bytes += data.length;
    },
    commit: async () => {
      files.set(`${runId}/${name}`, Buffer.concat(parts));
      return [memoryRecord(name, runId, "put")];
    },
    abort: async () => undefined,
  };
}

/** Creates a {@link MemoryCatalog}. */
export function memoryCatalog(): MemoryCatalog {
  const files = new Map<string, Uint8Array>();
  const record = memoryRecord;
  const writer = (name: string, runId: string): ContentWriter => memoryWriter(files, name, runId);
  return {
    type: "memory",
    traits: { copies: true, sharing: "none" },
    recordedConfig: {},
    files,
    get: async (pattern, runId) => (files.has(`${runId}/${pattern}`) ? [record(pattern, runId, "get")] : []),
    put: async (pattern, runId, options) => {
      if (options?.storeCopy !== false) files.set(`${runId}/${pattern}`, new Uint8Array()); // store_copy: false keeps nothing
      return [record(pattern, runId, "put")];
    },
    putContent: async (name, content, runId) => {
      files.set(`${runId}/${name}`, typeof content === "string" ? new TextEncoder().encode(content) : content);
      return [record(name, runId, "put")];
    },
    createContent: async (name, runId) => writer(name, runId),
    syncBetweenRuns: async (previous, runId) => {
      for (const [key, value] of [...files]) if (key.startsWith(`${previous}/`)) files.set(`${runId}/${key.slice(previous.length + 1)}`, value);
    },
    readFile: async (runId, relativePath) => {
      const content = files.get(`${runId}/${relativePath}`);
      if (!content) throw new RunnableError("CATALOG_ERROR", `No file ${relativePath} in the memory catalog of run ${runId}`);
      return {
        size: content.length,
        open: async function* () {
          yield content;
        },
      };
    },
    deleteRun: async (runId) => {
      let freedBytes = 0;
      for (const [key, value] of [...files]) {
        if (!key.startsWith(`${runId}/`)) continue;
        freedBytes += value.length;
        files.delete(key);
      }
      return { freedBytes };
    },
  };
}
