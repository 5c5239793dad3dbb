import { Command, CommanderError, Option } from "commander";
import { EXIT, reportError } from "./report-error.js";
import { closable, type CliIo } from "./io.js";
import { executeCommand, retryCommand } from "./commands/execute.js";
import { signalStop } from "./signals.js";
import { stepCommands } from "./commands/step-commands.js";
import { jobCommands } from "./commands/jobs.js";
import { executePythonScriptCommand, executeSdkPayloadCommand, isPythonScript, validatePythonScript } from "./commands/python-sdk.js";
import { logLevelOption } from "./log-level.js";
import { runsListCommand, runsShowCommand } from "./commands/runs.js";
import { runsCompareCommand } from "./commands/runs-compare.js";
import { runsDeleteCommand, runsGcCommand } from "./commands/runs-delete.js";
import { uiCommand } from "./commands/ui.js";
import { validateCommand } from "./commands/validate.js";

function defaultIo(): CliIo {
  const err = closable(process.stderr);
  return {
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    out: closable(process.stdout),
    err,
    stopControls: () => signalStop(err),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

/** Runs the `runnable` command line; returns the exit code (0 ok, 1 run failed, 2 bad input). */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let code: number = EXIT.success;
  const verbose = argv.includes("--verbose");
  const program = new Command("runnable")
    .description("Run pipelines (runnable-compatible YAML or TypeScript) and inspect their run logs")
    .version("0.1.0")
    .option("--verbose", "print stack traces of errors")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError(true)
    .showHelpAfterError("hint: `runnable --help` lists the commands, `runnable <command> --help` their options");
  const config = new Option("-c, --config-file <file>", "services configuration (default: $RUNNABLE_CONFIGURATION_FILE)");
  program
    .command("execute")
    .description("run a pipeline (YAML, a Python SDK script, or a TypeScript/JavaScript module whose default export is a pipeline)")
    .option("-f, --file <file>", "pipeline definition", "pipeline.yaml")
    .addOption(config)
    .option("-p, --parameters-file <file>", "initial parameters (YAML)")
    .option("--run-id <id>", "run id (default: generated, e.g. blazing-colden-0544)")
    .option("--tag <tag>", "label of the run (also the MLflow experiment name)")
    .option("--use-cached <run-id>", "re-run: a new run that skips the steps that succeeded in this earlier run")
    .addOption(logLevelOption())
    .option("-q, --quiet", "print only the run id and status")
    .option("--no-output", "do not show task output while running")
    .addOption(new Option("--sdk-payload <file>", "a pipeline sent by the Python SDK (- for stdin)").hideHelp())
    .addOption(new Option("--sdk-result <file>", "where to write the run log for the Python SDK").hideHelp())
    .action(async (options) => {
      if (options.sdkPayload !== undefined) code = await executeSdkPayloadCommand({ ...options, verbose }, io);
      else if (isPythonScript(options.file)) code = await executePythonScriptCommand({ ...options, verbose }, io);
      else code = await executeCommand(options, io);
    });
  program
    .command("retry <run-id>")
    .description("continue a failed, stopped or dead run under its own id: succeeded steps are kept, the rest run again")
    .option("-f, --file <file>", "pipeline definition (default: the one the run recorded)")
    .addOption(config)
    .option("-p, --parameters-file <file>", "initial parameters (default: what the run started with)")
    .addOption(logLevelOption())
    .option("-q, --quiet", "print only the run id and status")
    .option("--no-output", "do not show task output while running")
    .action(async (runId: string, options) => {
      code = await retryCommand(runId, options, io);
    });
  jobCommands(program, config, io, (result) => (code = result));
  stepCommands(program, config, io, (result) => (code = result));
  const runs = program.command("runs").description("inspect recorded runs");
  runs
    .command("list")
    .description("list runs in the run log store, newest first")
    .addOption(config)
    .addOption(logLevelOption())
    .option("--status <status>", "only runs with this status (SUCCESS, FAIL, PROCESSING, STALE, ...)")
    .option("--tag <tag>", "only runs with this tag")
    .option("--limit <n>", "at most this many runs")
    .option("--json", "print JSON")
    .action(async (options) => {
      code = await runsListCommand(options, io);
    });
  runs
    .command("show <run-id>")
    .description("summarise a run: steps, statuses, attempts, durations, parameters, catalog")
    .addOption(config)
    .addOption(logLevelOption())
    .option("--json", "print the whole run log JSON")
    .option("--branches <n>", "branches shown per composite step (default 5)")
    .action(async (runId: string, options) => {
      code = await runsShowCommand(runId, options, io);
    });
  runs
    .command("compare <run-ids...>")
    .description("compare two or more runs: parameters (differences marked), final metrics, step durations")
    .addOption(config)
    .option("--json", "print JSON")
    .action(async (runIds: string[], options) => {
      code = await runsCompareCommand(runIds, options, io);
    });
  runs
    .command("delete <run-ids...>")
    .description("delete runs and their catalog folders (refuses runs still in progress)")
    .addOption(config)
    .action(async (runIds: string[], options) => {
      code = await runsDeleteCommand(runIds, options, io);
    });
  runs
    .command("gc")
    .description("delete runs last changed longer ago than a duration, with their catalog folders")
    .requiredOption("--older-than <duration>", "e.g. 30d, 12h, 1d12h, 90m, 2w")
    .option("--dry-run", "only list what would be deleted")
    .addOption(config)
    .action(async (options) => {
      code = await runsGcCommand(options, io);
    });
  program
    .command("ui")
    .description("browse runs, metrics and comparisons in a local web app (read-only)")
    .option("--port <n>", "port to listen on (0 = any free port)", "8765")
    .option("--host <host>", "address to bind (default 127.0.0.1; any other needs the printed token)")
    .addOption(config)
    .option("--open", "open the browser")
    .action(async (options) => {
      code = await uiCommand(options, io);
    });
  program
    .command("validate <file>")
    .description("run every check `execute` makes before a run starts (pipeline, config, tasks, folders, parameters), writing nothing")
    .addOption(config)
    .option("-p, --parameters-file <file>", "initial parameters (YAML)")
    .addOption(logLevelOption())
    .action(async (file: string, options) => {
      code = isPythonScript(file) ? await validatePythonScript(file, options, io, verbose) : await validateCommand(file, options, io);
    });
  try {
    // --verbose is accepted anywhere on the line (it only changes how errors print).
    // runnable's `-put` (a multi-letter short option, which commander has not) is --put-in-catalog
    const args = argv.filter((a) => a !== "--verbose").map((a) => (a === "-put" ? "--put-in-catalog" : a));
    await program.parseAsync(args, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.success : EXIT.badInput;
    }
    return reportError(error, verbose, io.err);
  }
}
