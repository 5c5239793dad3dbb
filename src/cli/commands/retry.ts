import type { Command } from "commander";
import { prepare } from "../../runtime/prepare.js";
import type { CliIo } from "../io.js";
import { logLevelOption } from "../log-level.js";
import { type CommandContext, withParameters } from "../program.js";
import { detached, finishRun, runSettings } from "../run-output.js";

/** Options of `runnable retry`. */
export interface RetryCommandOptions {
  file?: string;
  configFile?: string;
  parametersFile?: string;
  tag?: string;
  quiet?: boolean;
  output?: boolean;
  logLevel?: string;
  detach?: boolean;
}

/** Adds `runnable retry RUN_ID` (runnable 0.50's options -c/--config, --tag, --log-level, and ours). */
export function registerRetry(program: Command, { io, withConfig, done }: CommandContext): void {
  const retry = program
    .command("retry <run-id>")
    .description("continue a failed, stopped or dead run under its own id: succeeded steps are kept, the rest run again")
    .option("-f, --file <file>", "pipeline definition (default: the one the run recorded)");
  withParameters(withConfig(retry), "initial parameters (default: what the run started with)")
    .option("--tag <tag>", "label of the retry (handed to tasks as RUNNABLE_RUN_TAG; default: the run's own)")
    .addOption(logLevelOption())
    .option("-q, --quiet", "print only the run id and status")
    .option("--no-output", "do not show task output while running")
    .option("--detach", "submit the retry and exit: an executor that can detach walks the run where its steps run (a batch job)")
    .action(async (runId: string, options: RetryCommandOptions) => done(await retryCommand(runId, options, io)));
}

/** `runnable retry RUN_ID`: continues a failed, stopped or dead run under its own id. */
export async function retryCommand(runId: string, options: RetryCommandOptions, io: CliIo): Promise<number> {
  const { settings } = runSettings(options, io);
  const controls = io.stopControls();
  try {
    const prepared = await prepare({
      kind: "retry",
      ...settings,
      runId,
      ...(options.file !== undefined ? { file: options.file } : {}),
      ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
      ...(options.parametersFile !== undefined ? { parametersFile: options.parametersFile } : {}),
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      stop: controls.stop,
    });
    if (options.detach) {
      const explicit = {
        ...(options.file !== undefined ? { file: options.file } : {}),
        ...(options.parametersFile !== undefined ? { parametersFile: options.parametersFile } : {}),
      };
      return (await detached(prepared, explicit, io)).code;
    }
    return (await finishRun(prepared, options, io)).code;
  } finally {
    controls.dispose();
  }
}
