import { readFile, rename, writeFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { isRunnableError } from "../../core/errors.js";
import { loadServicesConfig } from "../../config/load-config.js";
import { allNodes } from "../../core/graph.js";
import { builtinRegistry } from "../../runtime/builtins.js";
import { knownServiceSchemas } from "../../runtime/compose-services.js";
import type { CliIo } from "../io.js";
import { EXIT } from "../report-error.js";
import { parseSdkPayload, sdkPipelineSource } from "../python-sdk/payload.js";
import { runSdkPayload, type SdkCliOptions } from "../python-sdk/run-payload.js";
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
  if (options.sdkResult) await writeAtomically(options.sdkResult, JSON.stringify({ run_log: runLog }));
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

/** `runnable validate pipeline.py`: runs the script up to `Pipeline.execute()` and checks the pipeline it hands over. */
export async function validatePythonScript(file: string, io: CliIo, verbose: boolean): Promise<number> {
  const interpreter = await scriptInterpreter(undefined, io);
  return runPythonScript(
    {
      file,
      interpreter,
      verbose,
      handle: async (payload) => {
        const source = sdkPipelineSource(payload, io.cwd);
        const graph = source.kind === "graph" ? source.graph : undefined;
        const count = graph ? [...allNodes(graph)].length : 0;
        io.out(`${file}: valid (${count} steps, start at "${graph?.startAt}")\n`);
        return { reply: { exit: EXIT.success }, code: EXIT.success };
      },
    },
    io,
  );
}

/** The Python that runs SDK scripts: `task_runners.python.interpreter` of the config, else $RUNNABLE_PYTHON, else python3. */
async function scriptInterpreter(configFile: string | undefined, io: CliIo): Promise<string> {
  try {
    const config = await loadServicesConfig({ ...(configFile ? { file: configFile } : {}), env: io.env, cwd: io.cwd, known: knownServiceSchemas(builtinRegistry()) });
    const chosen = (config.taskRunners["python"] as { interpreter?: string } | undefined)?.interpreter;
    if (chosen) return chosen;
  } catch (error) {
    if (!isRunnableError(error)) throw error;
    // an invalid config is reported when the pipeline runs, with every problem
  }
  return io.env["RUNNABLE_PYTHON"] || "python3";
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}
