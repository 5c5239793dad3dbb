import type { Command } from "commander";
import { allNodes } from "../../core/graph.js";
import { pipelineScript } from "../../runtime/load-pipeline-source.js";
import { prepare } from "../../runtime/prepare.js";
import type { CliIo } from "../io.js";
import { createCliLog, logLevelOption } from "../log-level.js";
import { type CommandContext, withParameters } from "../program.js";
import { validatePythonScript } from "./python-sdk.js";

/** Options of `runnable validate`: the ones of `runnable execute` that change what is checked. */
export interface ValidateCommandOptions {
  configFile?: string;
  parametersFile?: string;
  logLevel?: string;
}

/** Adds `runnable validate FILE` (a pipeline file, or a Python SDK script up to the pipeline it hands over). */
export function registerValidate(program: Command, { io, verbose, withConfig, done }: CommandContext): void {
  withParameters(
    withConfig(
      program
        .command("validate <file>")
        .description("run every check `execute` makes before a run starts (pipeline, config, tasks, folders, parameters), writing nothing"),
    ),
  )
    .addOption(logLevelOption())
    .action(async (file: string, options: ValidateCommandOptions) => {
      const script = await pipelineScript(file, { ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
      done(script ? await validatePythonScript(file, script, options, io, verbose) : await validateCommand(file, options, io));
    });
}

/**
 * `runnable validate FILE`: every check `runnable execute` makes before a run starts, nothing
 * written; exit 0 when the pipeline would start, 2 otherwise.
 */
export async function validateCommand(file: string, options: ValidateCommandOptions, io: CliIo): Promise<number> {
  const log = createCliLog(options.logLevel, io.err);
  const { graph } = await prepare({
    kind: "validate",
    source: { kind: "file", file },
    cwd: io.cwd,
    env: io.env,
    warn: log.warn,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.parametersFile ? { parametersFile: options.parametersFile } : {}),
  });
  io.out(`${file}: valid (${[...allNodes(graph)].length} steps, start at "${graph.startAt}")\n`);
  return 0;
}
