import type { RunResult } from "../../engine/services.js";
import { signalExitCode } from "../../core/stop.js";
import { runPrepared } from "../../runtime/execute.js";
import { prepareRetry } from "../../runtime/prepare-retry.js";
import { prepareRun } from "../../runtime/prepare-run.js";
import { loadPipelineSource } from "../load-pipeline-source.js";
import { createProgress } from "../progress.js";
import { EXIT } from "../report-error.js";
import type { CliIo } from "../io.js";

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
}

/** What every run command shares: progress, warnings, stop controls. */
function runSettings(options: { quiet?: boolean; output?: boolean }, io: CliIo) {
  const progress = options.quiet ? undefined : createProgress({ tty: io.isTTY, showOutput: options.output !== false, write: io.out });
  return {
    cwd: io.cwd,
    env: io.env,
    warn: (message: string) => io.err(`warning: ${message}\n`),
    ...(progress ? { onEvent: progress } : {}),
  };
}

/** The exit code of a finished run: 0 success, 1 failed, 128+n when a signal stopped it. */
function exitCodeOf(result: RunResult): number {
  if (result.stopped?.kind === "signal") return signalExitCode(result.stopped.signal);
  return result.status === "SUCCESS" ? EXIT.success : EXIT.runFailed;
}

/** `runnable execute`: runs a pipeline (or re-runs one with --use-cached); exit 0 when it succeeded, 1 when it failed. */
export async function executeCommand(options: ExecuteCommandOptions, io: CliIo): Promise<number> {
  const source = await loadPipelineSource(options.file, io.cwd);
  const controls = io.stopControls();
  try {
    const prepared = await prepareRun({
      ...runSettings(options, io),
      source,
      ...(options.configFile ? { configFile: options.configFile } : {}),
      ...(options.parametersFile ? { parametersFile: options.parametersFile } : {}),
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      ...(options.useCached !== undefined ? { useCached: options.useCached } : {}),
      stop: controls.stop,
    });
    const result = await runPrepared(prepared);
    if (options.quiet) io.out(`${result.runId} ${result.status}\n`);
    return exitCodeOf(result);
  } finally {
    controls.dispose();
  }
}

/** Options of `runnable retry`. */
export interface RetryCommandOptions {
  file?: string;
  configFile?: string;
  parametersFile?: string;
  quiet?: boolean;
  output?: boolean;
}

/** `runnable retry RUN_ID`: continues a failed, stopped or dead run under its own id. */
export async function retryCommand(runId: string, options: RetryCommandOptions, io: CliIo): Promise<number> {
  const controls = io.stopControls();
  try {
    const prepared = await prepareRetry({
      ...runSettings(options, io),
      runId,
      ...(options.file !== undefined ? { file: options.file } : {}),
      ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
      ...(options.parametersFile !== undefined ? { parametersFile: options.parametersFile } : {}),
      loadFile: (file) => loadPipelineSource(file, io.cwd),
      stop: controls.stop,
    });
    const result = await runPrepared(prepared);
    if (options.quiet) io.out(`${result.runId} ${result.status}\n`);
    return exitCodeOf(result);
  } finally {
    controls.dispose();
  }
}
