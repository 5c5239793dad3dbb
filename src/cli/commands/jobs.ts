import { posix } from "node:path";
import { Option, type Command } from "commander";
import { RunnableError } from "../../core/errors.js";
import { buildGraph } from "../../definition/build-graph.js";
import { serialiseGraph } from "../../definition/serialise.js";
import type { PipelineSource } from "../../runtime/prepare-run.js";
import type { CliIo } from "../io.js";
import { logLevelOption } from "../log-level.js";
import { executeSource } from "./execute.js";

/** The step name runnable gives a single job. */
export const JOB_STEP = "executing job";

/** Options of `execute_function` / `execute_notebook`. */
export interface JobOptions {
  configFile?: string;
  parametersFile?: string;
  logLevel?: string;
  dataFolder: string;
  putInCatalog?: string[];
  tag?: string;
  runId?: string;
  notebookOutputPath?: string;
  quiet?: boolean;
}

/** A one-step pipeline (`executing job` → success) running `command` with the job's catalog puts. */
export function jobSource(commandType: "python" | "notebook", command: string, options: JobOptions, cwd: string): PipelineSource {
  const puts = (options.putInCatalog ?? []).map((pattern) => posix.join(options.dataFolder || ".", pattern));
  const step: Record<string, unknown> = { type: "task", command_type: commandType, command, next: "success" };
  if (puts.length > 0) step["catalog"] = { get: [], put: puts };
  if (options.notebookOutputPath) step["notebook_output_path"] = options.notebookOutputPath;
  const graph = buildGraph({ start_at: JOB_STEP, steps: { [JOB_STEP]: step } }, { baseDir: cwd, cwd });
  return { kind: "graph", graph, serialised: serialiseGraph(graph), name: command, file: null, dagHash: "" };
}

/** Runs a job as an unchained run (runnable's `execution_plan: unchained`). */
export async function runJob(commandType: "python" | "notebook", command: string, options: JobOptions, io: CliIo): Promise<number> {
  if (commandType === "notebook" && !command.toLowerCase().endsWith(".ipynb")) {
    throw new RunnableError("CLI_USAGE", `A notebook should always have ipynb as the extension, got "${command}"`, { hint: "give the path of a .ipynb file" });
  }
  const source = jobSource(commandType, command, options, io.cwd);
  return (await executeSource(source, { ...options, executionPlan: "unchained" }, io)).code;
}

/** Adds `execute_function COMMAND` and `execute_notebook FILENAME` (runnable's single jobs, working). */
export function jobCommands(program: Command, config: Option, io: CliIo, done: (code: number) => void): void {
  const shared = (command: Command): Command =>
    command
      .addOption(config)
      .option("-p, --parameters-file <file>", "initial parameters (YAML)")
      .addOption(logLevelOption())
      .option("-d, --data-folder <folder>", "folder the --put-in-catalog patterns are relative to", "data/")
      .option(
        "--put-in-catalog <pattern>",
        "glob of files to put into the catalog after the job succeeds (repeatable; also -put)",
        (value: string, all: string[] = []) => [...all, value],
      )
      .option("--tag <tag>", "label of the run")
      .option("--run-id <id>", "run id (default: generated)")
      .option("-q, --quiet", "print only the run id and status")
      .addOption(new Option("--entrypoint <where>", "user or system (accepted for compatibility)").default("user").hideHelp());
  shared(program.command("execute_function <command>").description("run one Python function (package.module.function) as a job")).action(
    async (command: string, options: JobOptions) => done(await runJob("python", command, options, io)),
  );
  shared(program.command("execute_notebook <filename>").description("run one notebook as a job"))
    .option("--notebook-output-path <path>", "where the executed notebook is written (default: <name>_out.ipynb)")
    .action(async (filename: string, options: JobOptions) => done(await runJob("notebook", filename, options, io)));
}
