import { readFile } from "node:fs/promises";
import { writeAtomic } from "../../io/atomic-file.js";
import { extname, resolve } from "node:path";
import { isRunnableError } from "../../core/errors.js";
import { loadServicesConfig } from "../../config/load-config.js";
import { allNodes } from "../../core/graph.js";
import { builtinRegistry } from "../../runtime/builtins.js";
import { knownServiceSchemas } from "../../runtime/compose-services.js";
import type { CliIo } from "../io.js";
import { EXIT } from "../report-error.js";
import { parseSdkPayload, sdkPipelineSource } from "../python-sdk/payload.js";
import { mergeSdkOptions, runSdkPayload, type SdkCliOptions } from "../python-sdk/run-payload.js";
import { validateRun } from "../../runtime/validate-run.js";
import { createCliLog } from "../log-level.js";
import type { ValidateCommandOptions } from "./validate.js";
import { runPythonScript } from "../python-sdk/run-script.js";

/** True for a file `runnable execute -f` / `runnable validate` runs as a Python SDK script. */
export function isPythonScript(file: string): boolean {
  return extname(file).toLowerCase() === ".py";
}

/** Options of `runnable execute` for SDK pipelines (hidden `--sdk-payload`/`--sdk-result` are used by `Pipeline.execute()`). */
export type PythonExecuteOptions = SdkCliOptions & { file: string; sdkPayload?: string; sdkResult?: string; verbose?: boolean };

/** `runnable execute --sdk-payload FILE|-`: runs the pipeline a `python3 pipeline.py` process sends; writes the run log to `--sdk-result`. */
export async function executeSdkPayloadCommand(options: PythonExecuteOptions, io: CliIo): Promise<number> {
  const text = options.sdkPayload === "-" ? await (io.stdin?.() ?? Promise.resolve("")) : await readFile(resolve(io.cwd, options.sdkPayload ?? ""), "utf8");
  const { code, runLog } = await runSdkPayload(parseSdkPayload(text), options, io);
  if (options.sdkResult) await writeAtomic(options.sdkResult, JSON.stringify({ run_log: runLog }));
  return code;
}

/** `runnable execute -f pipeline.py`: runs the script, which hands its pipeline back; the command line's options win. */
export async function executePythonScriptCommand(options: PythonExecuteOptions, io: CliIo): Promise<number> {
  const interpreter = await scriptInterpreter(options.configFile, io);
  return runPythonScript(
    {
      file: options.file,
      interpreter,
      verbose: options.verbose ?? false,
      handle: async (payload) => {
        const { code, runLog } = await runSdkPayload(payload, options, io);
        return { reply: { run_log: runLog }, code };
      },
    },
    io,
  );
}

/** `runnable validate pipeline.py`: runs the script up to `Pipeline.execute()` and makes every check `execute` would on the pipeline it hands over. */
export async function validatePythonScript(file: string, cli: ValidateCommandOptions, io: CliIo, verbose: boolean): Promise<number> {
  const interpreter = await scriptInterpreter(cli.configFile, io);
  return runPythonScript(
    {
      file,
      interpreter,
      verbose,
      handle: async (payload) => {
        const options = mergeSdkOptions(payload, cli, io.env);
        const graph = await validateRun({
          source: sdkPipelineSource(payload, io.cwd),
          cwd: io.cwd,
          env: io.env,
          warn: createCliLog(options.logLevel, io.err).warn,
          ...(options.configFile ? { configFile: options.configFile } : {}),
          ...(options.parametersFile ? { parametersFile: options.parametersFile } : {}),
          ...(options.runId ? { runId: options.runId } : {}),
        });
        io.out(`${file}: valid (${[...allNodes(graph)].length} steps, start at "${graph.startAt}")\n`);
        return { reply: { exit: EXIT.success }, code: EXIT.success };
      },
    },
    io,
  );
}

/** The Python that runs SDK scripts: `task_runners.python.interpreter` of the config, else $RUNNABLE_PYTHON, else python3. */
async function scriptInterpreter(configFile: string | undefined, io: CliIo): Promise<string> {
  try {
    const config = await loadServicesConfig({
      ...(configFile ? { file: configFile } : {}),
      env: io.env,
      cwd: io.cwd,
      known: knownServiceSchemas(builtinRegistry()),
    });
    const chosen = (config.taskRunners["python"] as { interpreter?: string } | undefined)?.interpreter;
    if (chosen) return chosen;
  } catch (error) {
    if (!isRunnableError(error)) throw error;
    // an invalid config is reported when the pipeline runs, with every problem
  }
  return io.env["RUNNABLE_PYTHON"] || "python3";
}
