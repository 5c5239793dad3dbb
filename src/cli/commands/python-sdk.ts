import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { allNodes } from "../../core/graph.js";
import { writeAtomic } from "../../io/atomic-file.js";
import type { ScriptLaunch } from "../../ports/plugin.js";
import { prepare } from "../../runtime/prepare.js";
import { parseSdkPayload, sdkPipelineSource } from "../../runtime/sdk-payload.js";
import type { CliIo } from "../io.js";
import { createCliLog } from "../log-level.js";
import { mergeSdkOptions, runSdkPayload, type SdkCliOptions } from "../python-sdk/run-payload.js";
import { runPythonScript } from "../python-sdk/run-script.js";
import { EXIT } from "../report-error.js";
import type { ValidateCommandOptions } from "./validate.js";

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
export async function executePythonScriptCommand(options: PythonExecuteOptions, launch: ScriptLaunch, io: CliIo): Promise<number> {
  return runPythonScript(
    {
      file: options.file,
      launch,
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
export async function validatePythonScript(file: string, launch: ScriptLaunch, cli: ValidateCommandOptions, io: CliIo, verbose: boolean): Promise<number> {
  return runPythonScript(
    {
      file,
      launch,
      verbose,
      handle: async (payload) => {
        const options = mergeSdkOptions(payload, cli, io.env);
        const { graph } = await prepare({
          kind: "validate",
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
