import type { Command } from "commander";
import { RunnableError } from "../../core/errors.js";
import { pipelineScript } from "../../runtime/load-pipeline-source.js";
import type { CliIo } from "../io.js";
import { logLevelOption } from "../log-level.js";
import { type CommandContext, withParameters } from "../program.js";
import type { ExecuteCommandOptions } from "../run-output.js";
import { executePythonScriptCommand } from "./python-sdk.js";

/** runnable 0.50's job definition: `module.function` of the code that builds the job (`examples.jobs.main`). */
const DEFINITION = /^[\w-]+(\.[\w-]+)+$/;

/** Adds `runnable execute-job JOB_DEFINITION [RUN_ID]` (runnable 0.50's entry point of a job: `module.function` building it). */
export function registerExecuteJob(program: Command, { io, verbose, withConfig, done }: CommandContext): void {
  const command = program
    .command("execute-job")
    .description("run a job (runnable 0.50): JOB_DEFINITION is module.function, the Python function that builds the job (and usually executes it)")
    .argument("<job-definition>", "module.function, e.g. examples.11-jobs.python_tasks.main (as 0.50 records it in job_definition_file)")
    .argument("[run-id]", "run id (default: $RUNNABLE_RUN_ID, else generated)");
  withParameters(withConfig(command))
    .option("--tag <tag>", "label of the run")
    .addOption(logLevelOption())
    .action(async (definition: string, runId: string | undefined, given: Omit<ExecuteCommandOptions, "file">) =>
      done(await executeJobCommand(definition, { ...given, ...(runId ? { runId } : {}) }, io, verbose)),
    );
}

/** Runs `python -m runnable._job_entry DEFINITION`, whose job hands itself back here (the Python SDK hand-off). */
export async function executeJobCommand(definition: string, options: Omit<ExecuteCommandOptions, "file">, io: CliIo, verbose: boolean): Promise<number> {
  if (!DEFINITION.test(definition)) {
    throw new RunnableError("CLI_USAGE", `the job definition "${definition}" is not module.function`, {
      hint: "name the Python function that builds the job, as a dotted path from the working directory: e.g. runnable execute-job examples.11-jobs.python_tasks.main",
    });
  }
  const file = `${definition.split(".").slice(0, -1).join("/")}.py`;
  const launch = await pipelineScript(file, { ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  if (!launch) throw new RunnableError("INTERNAL", "no task plug-in runs Python scripts");
  const job = { ...launch, args: [...launch.args.filter((arg) => arg !== file), "-m", "runnable._job_entry", definition] };
  return executePythonScriptCommand({ ...options, file: definition, verbose }, job, io);
}
