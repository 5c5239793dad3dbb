import { RunnableError } from "../../core/errors.js";
import { type Command, Option } from "commander";
import { pipelineScript } from "../../runtime/load-pipeline-source.js";
import type { CliIo } from "../io.js";
import { logLevelOption } from "../log-level.js";
import type { CommandContext } from "../program.js";
import { type ExecuteCommandOptions, executeSource } from "../run-output.js";
import { executePythonScriptCommand, executeSdkPayloadCommand } from "./python-sdk.js";

/** Adds `runnable execute` (a pipeline file, a Python SDK script, or a pipeline the Python SDK sends). */
export function registerExecute(program: Command, { io, verbose, configOption, done }: CommandContext): void {
  program
    .command("execute")
    .description("run a pipeline (YAML, a Python SDK script, or a TypeScript/JavaScript module whose default export is a pipeline)")
    .option("-f, --file <file>", "pipeline definition", "pipeline.yaml")
    .addOption(configOption())
    .option("-p, --parameters-file <file>", "initial parameters (YAML)")
    .option("--run-id <id>", "run id (default: generated, e.g. blazing-colden-0544)")
    .option("--tag <tag>", "label of the run (also the MLflow experiment name)")
    .option("--use-cached <run-id>", "re-run: a new run that skips the steps that succeeded in this earlier run")
    .addOption(logLevelOption())
    .option("-q, --quiet", "print only the run id and status")
    .option("--no-output", "do not show task output while running")
    .option("--detach", "submit the run and exit: an executor that can detach walks it where its steps run (a batch job); follow it with `runnable runs show`")
    .addOption(new Option("--sdk-payload <file>", "a pipeline sent by the Python SDK (- for stdin)").hideHelp())
    .addOption(new Option("--sdk-result <file>", "where to write the run log for the Python SDK").hideHelp())
    .action(async (options) => {
      if (options.detach && options.sdkPayload !== undefined) throw detachScript();
      if (options.sdkPayload !== undefined) return done(await executeSdkPayloadCommand({ ...options, verbose }, io));
      const script = await pipelineScript(options.file, { ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
      if (script && options.detach) throw detachScript();
      if (script) return done(await executePythonScriptCommand({ ...options, verbose }, script, io));
      done(await executeCommand(options, io));
    });
}

/** --detach hands the walk to a process that reads the pipeline from a YAML or module file, which a pipeline script is not. */
function detachScript(): RunnableError {
  return new RunnableError("CLI_USAGE", "--detach runs a pipeline file (YAML or a TypeScript/JavaScript module), not a pipeline script", {
    hint: "write the pipeline as YAML (or a module), or run the script without --detach",
  });
}

/** `runnable execute`: runs a pipeline (or re-runs one with --use-cached); exit 0 when it succeeded, 1 when it failed. */
export async function executeCommand(options: ExecuteCommandOptions, io: CliIo): Promise<number> {
  return (await executeSource({ kind: "file", file: options.file }, options, io)).code;
}
