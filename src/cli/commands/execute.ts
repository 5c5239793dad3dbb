import type { RunLog } from "../../core/run-log.js";
import { runPipeline } from "../../engine/run-pipeline.js";
import { prepareRun, type PipelineSource } from "../../runtime/prepare-run.js";
import { loadPipelineSource } from "../load-pipeline-source.js";
import { createCliLog } from "../log-level.js";
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
  quiet?: boolean;
  output?: boolean;
  logLevel?: string;
  /** `run_config.execution_plan` (`unchained` for execute_function/execute_notebook jobs). */
  executionPlan?: string;
}

/** `runnable execute`: runs a pipeline; exit 0 when it succeeded, 1 when it failed. */
export async function executeCommand(options: ExecuteCommandOptions, io: CliIo): Promise<number> {
  const source = await loadPipelineSource(options.file, io.cwd);
  return (await executeSource(source, options, io)).code;
}

/** Runs a loaded pipeline with the options of `runnable execute`; resolves with the exit code and the run log. */
export async function executeSource(source: PipelineSource, options: Omit<ExecuteCommandOptions, "file">, io: CliIo): Promise<{ code: number; runLog: RunLog }> {
  const progress = options.quiet ? undefined : createProgress({ tty: io.isTTY, showOutput: options.output !== false, write: io.out });
  const log = createCliLog(options.logLevel, io.err);
  const { plan, services } = await prepareRun({
    source,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.parametersFile ? { parametersFile: options.parametersFile } : {}),
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    cwd: io.cwd,
    env: io.env,
    warn: log.warn,
    ...(progress ? { onEvent: progress } : {}),
    signal: io.signal,
  });
  if (options.executionPlan) plan.runConfig.execution_plan = options.executionPlan;
  log.info(`run ${plan.runId}: executor ${services.executor.type}, run log store ${services.runLogStore.type}, catalog ${services.catalog.type}, secrets ${services.secrets.type}, experiment tracker ${services.tracker.type}`);
  const result = await runPipeline(plan, services);
  const runLog = await services.runLogStore.get(result.runId);
  // runnable prints the run log at the end; with the in-memory store it is the only record of the run
  if (services.runLogStore.type === "buffered") io.out(`${JSON.stringify(runLog, null, 4)}\n`);
  if (options.quiet) io.out(`${result.runId} ${result.status}\n`);
  return { code: result.status === "SUCCESS" ? EXIT.success : EXIT.runFailed, runLog };
}
