import { type Command, Option } from "commander";
import { RunnableError } from "../../core/errors.js";
import { jobSource } from "../../runtime/job-source.js";
import type { CliIo } from "../io.js";
import { logLevelOption } from "../log-level.js";
import { type CommandContext, withParameters } from "../program.js";
import { executeSource } from "../run-output.js";

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

/** Runs a job as an unchained run (runnable's `execution_plan: unchained`). */
export async function runJob(commandType: "python" | "notebook", command: string, options: JobOptions, io: CliIo): Promise<number> {
  const { dataFolder, putInCatalog, notebookOutputPath } = options;
  const job = { commandType, command, dataFolder, ...(putInCatalog ? { putInCatalog } : {}), ...(notebookOutputPath ? { notebookOutputPath } : {}) };
  return (await executeSource(jobSource(job, io.cwd), { ...options, executionPlan: "unchained" }, io)).code;
}

/** Adds `execute_function COMMAND` and `execute_notebook FILENAME` (runnable's single jobs, working). */
export function registerJobs(program: Command, { io, withConfig, done }: CommandContext): void {
  const shared = (command: Command): Command =>
    withParameters(withConfig(command))
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
    .action(async (filename: string, options: JobOptions) => {
      if (!filename.toLowerCase().endsWith(".ipynb")) {
        throw new RunnableError("CLI_USAGE", `A notebook should always have ipynb as the extension, got "${filename}"`, {
          hint: "give the path of a .ipynb file",
        });
      }
      done(await runJob("notebook", filename, options, io));
    });
}
