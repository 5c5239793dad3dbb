import { type Command, Option } from "commander";
import { RunnableError } from "../../core/errors.js";
import { pipelineScript } from "../../runtime/load-pipeline-source.js";
import type { CliIo } from "../io.js";
import { logLevelOption } from "../log-level.js";
import { type CommandContext, withParameters } from "../program.js";
import { type ExecuteCommandOptions, executeSource } from "../run-output.js";
import { executePythonScriptCommand, executeSdkPayloadCommand } from "./python-sdk.js";

/** The pipeline file when none is named (February-2024 runnable's `-f` default). */
const DEFAULT_FILE = "pipeline.yaml";

/** Adds `runnable execute [FILE] [RUN_ID]` (runnable 0.50's form; `-f FILE --run-id ID` as February-2024 runnable's). */
export function registerExecute(program: Command, { io, verbose, withConfig, done }: CommandContext): void {
  const execute = program
    .command("execute")
    .description("run a pipeline (YAML, a Python SDK script, or a TypeScript/JavaScript module whose default export is a pipeline)")
    .argument("[file]", `pipeline definition (or -f/--file; default: ${DEFAULT_FILE})`)
    .argument("[run-id]", "run id (or --run-id; default: $RUNNABLE_RUN_ID, else generated, e.g. blazing-colden-0544)")
    .option("-f, --file <file>", `pipeline definition (or the first argument; default: ${DEFAULT_FILE})`);
  withParameters(withConfig(execute))
    .option("--run-id <id>", "run id (or the second argument; default: $RUNNABLE_RUN_ID, else generated)")
    .option("--tag <tag>", "label of the run (also the MLflow experiment name; tasks get it as RUNNABLE_RUN_TAG)")
    .option("--use-cached <run-id>", "re-run: a new run that skips the steps that succeeded in this earlier run")
    .addOption(logLevelOption())
    .option("-q, --quiet", "print only the run id and status")
    .option("--no-output", "do not show task output while running")
    .option("--detach", "submit the run and exit: an executor that can detach walks it where its steps run (a batch job); follow it with `runnable runs show`")
    .addOption(new Option("--sdk-payload <file>", "a pipeline sent by the Python SDK (- for stdin)").hideHelp())
    .addOption(new Option("--sdk-result <file>", "where to write the run log for the Python SDK").hideHelp())
    .action(async (file: string | undefined, runId: string | undefined, given) => {
      const options = { ...given, file: once("pipeline file", file, given.file, "-f/--file") ?? DEFAULT_FILE };
      const id = once("run id", runId, given.runId, "--run-id");
      if (id !== undefined) options.runId = id;
      if (options.detach && options.sdkPayload !== undefined) throw detachScript();
      if (options.sdkPayload !== undefined) return done(await executeSdkPayloadCommand({ ...options, verbose }, io));
      const script = await pipelineScript(options.file, { ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
      if (script && options.detach) throw detachScript();
      if (script) return done(await executePythonScriptCommand({ ...options, verbose }, script, io));
      done(await executeCommand(options, io));
    });
}

/** A value given either as an argument or by its option (runnable 0.50's and February-2024 runnable's forms); both is a usage error. */
function once(what: string, argument: string | undefined, option: string | undefined, flag: string): string | undefined {
  if (argument !== undefined && option !== undefined) {
    throw new RunnableError("CLI_USAGE", `the ${what} was given twice: as an argument ("${argument}") and with ${flag} ("${option}")`, {
      hint: `give it once: \`runnable execute FILE [RUN_ID]\` (runnable 0.50) or \`runnable execute -f FILE --run-id ID\` (February-2024 runnable)`,
    });
  }
  return argument ?? option;
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
