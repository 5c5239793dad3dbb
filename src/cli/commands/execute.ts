import { runPipeline } from "../../engine/run-pipeline.js";
import { prepareRun } from "../../runtime/prepare-run.js";
import { renderRun } from "../../runtime/render-run.js";
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
  quiet?: boolean;
  output?: boolean;
}

/** `runnable execute`: runs a pipeline; exit 0 when it succeeded, 1 when it failed. */
export async function executeCommand(options: ExecuteCommandOptions, io: CliIo): Promise<number> {
  const source = await loadPipelineSource(options.file, io.cwd);
  const progress = options.quiet ? undefined : createProgress({ tty: io.isTTY, showOutput: options.output !== false, write: io.out });
  const { plan, services } = await prepareRun({
    source,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.parametersFile ? { parametersFile: options.parametersFile } : {}),
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    cwd: io.cwd,
    env: io.env,
    warn: (message) => io.err(`warning: ${message}\n`),
    ...(progress ? { onEvent: progress } : {}),
    signal: io.signal,
  });
  if (services.executor.render) {
    // A rendering executor (argo) compiles the run for another system; nothing runs here.
    io.out(`${(await renderRun(plan, services)).message}\n`);
    return EXIT.success;
  }
  const result = await runPipeline(plan, services);
  if (options.quiet) io.out(`${result.runId} ${result.status}\n`);
  return result.status === "SUCCESS" ? EXIT.success : EXIT.runFailed;
}
