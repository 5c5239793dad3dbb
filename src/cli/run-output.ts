import type { RunLog } from "../core/run-log.js";
import { signalExitCode } from "../core/stop.js";
import type { RunResult } from "../engine/services.js";
import { runPrepared } from "../runtime/execute.js";
import type { PipelineSource } from "../runtime/load-pipeline-source.js";
import { type PreparedRun, prepare } from "../runtime/prepare.js";
import { createProgress } from "../runtime/progress.js";
import { detachRun } from "../runtime/detach-run.js";
import { renderRun } from "../runtime/render-run.js";
import { failureLine, usageNote } from "./failure-summary.js";
import type { CliIo } from "./io.js";
import { createCliLog } from "./log-level.js";
import { EXIT } from "./report-error.js";

/** Options of `runnable execute`. */
export interface ExecuteCommandOptions {
  file: string;
  configFile?: string;
  parametersFile?: string;
  runId?: string;
  tag?: string;
  useCached?: string;
  quiet?: boolean;
  output?: boolean;
  logLevel?: string;
  /** `run_config.execution_plan` (`unchained` for execute_function/execute_notebook jobs). */
  executionPlan?: string;
  /** Hand the walk to where the steps run and exit (an executor with `capabilities.detach`). */
  detach?: boolean;
}

/** The options every run command shares. */
export interface RunOutputOptions {
  quiet?: boolean;
  output?: boolean;
  logLevel?: string;
}

/** What every run command shares: progress, warnings by log level. */
export function runSettings(options: RunOutputOptions, io: CliIo) {
  const progress = options.quiet ? undefined : createProgress({ tty: io.isTTY, showOutput: options.output !== false, write: io.out });
  const log = createCliLog(options.logLevel, io.err);
  return { log, settings: { cwd: io.cwd, env: io.env, warn: log.warn, ...(progress ? { onEvent: progress } : {}) } };
}

/** The exit code of a finished run: 0 success, 1 failed, 128+n when a signal stopped it. */
function exitCodeOf(result: RunResult): number {
  if (result.stopped?.kind === "signal") return signalExitCode(result.stopped.signal);
  return result.status === "SUCCESS" ? EXIT.success : EXIT.runFailed;
}

/**
 * A finished run: its exit code and a way to read its log back (only read when asked: it can be large);
 * null when a rendering executor (argo) compiled the run instead of running it.
 */
export interface FinishedRun {
  code: number;
  runLog: (() => Promise<RunLog>) | null;
}

/** Runs a prepared run and prints its end (the run log with a store that keeps it in memory only, as runnable does). */
export async function finishRun(prepared: PreparedRun, options: { quiet?: boolean }, io: CliIo): Promise<FinishedRun> {
  const store = prepared.services.runLogStore;
  const result = await runPrepared(prepared);
  const runLog = () => store.get(result.runId);
  // runnable prints the run log at the end; with an in-memory store it is the only record of the run
  if (!store.traits.persistent) io.out(`${JSON.stringify(await runLog(), null, 4)}\n`);
  const trackerUrl = prepared.services.tracker.runUrl?.();
  if (trackerUrl && !options.quiet) io.out(`${prepared.services.tracker.type} run: ${trackerUrl}\n`);
  if (options.quiet) io.out(`${result.runId} ${result.status}\n`);
  else if (result.status === "FAIL") {
    // The last lines of a failed run: what failed, why, where its output is (and a flag it may lack).
    const log = await runLog();
    for (const line of [usageNote(log), failureLine(log)]) if (line) io.out(`${line}\n`);
  }
  return { code: exitCodeOf(result), runLog };
}

/** Detaches a prepared run (`--detach`): prints its id and how to follow it; exit 0 once the walker is submitted. */
export async function detached(prepared: PreparedRun, explicit: { file?: string; parametersFile?: string }, io: CliIo): Promise<FinishedRun> {
  const runId = prepared.plan.runId;
  const outcome = await detachRun(prepared, explicit);
  io.out(`${outcome.message}\nfollow it with: runnable runs show ${runId} (or runnable ui)\n`);
  return { code: EXIT.success, runLog: null };
}

/** Runs a pipeline with the options of `runnable execute`; resolves with the exit code and the run log. */
export async function executeSource(source: PipelineSource, options: Omit<ExecuteCommandOptions, "file">, io: CliIo): Promise<FinishedRun> {
  const { log, settings } = runSettings(options, io);
  const controls = io.stopControls();
  try {
    const prepared = await prepare({
      kind: "execute",
      ...settings,
      source,
      ...(options.configFile ? { configFile: options.configFile } : {}),
      ...(options.parametersFile ? { parametersFile: options.parametersFile } : {}),
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      ...(options.useCached !== undefined ? { useCached: options.useCached } : {}),
      ...(options.executionPlan ? { executionPlan: options.executionPlan } : {}),
      stop: controls.stop,
    });
    const { plan, services } = prepared;
    if (services.executor.capabilities.placement === "rendered") {
      // A rendering executor compiles the run for another engine; nothing runs here.
      try {
        io.out(`${(await renderRun(plan, services)).message}\n`);
      } finally {
        await prepared.dispose();
      }
      return { code: EXIT.success, runLog: null };
    }
    if (options.detach) return await detached(prepared, {}, io);
    log.info(
      `run ${plan.runId}: executor ${services.executor.type}, run log store ${services.runLogStore.type}, catalog ${services.catalog.type}, secrets ${services.secrets.type}, experiment tracker ${services.tracker.type}`,
    );
    return await finishRun(prepared, options, io);
  } finally {
    controls.dispose();
  }
}
