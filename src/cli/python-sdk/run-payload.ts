import { resolve } from "node:path";
import { configFileFrom } from "../../config/load-config.js";
import { formatProblem } from "../../core/errors.js";
import type { RunLog } from "../../core/run-log.js";
import { writeAtomic } from "../../io/atomic-file.js";
import { openServices } from "../../runtime/open-store.js";
import { type SdkPayload, sdkPipelineSource } from "../../runtime/sdk-payload.js";
import type { CliIo } from "../io.js";
import { dynamicImport } from "../../io/dynamic-import.js";
import { createCliLog } from "../log-level.js";
import { EXIT } from "../report-error.js";
import { type ExecuteCommandOptions, executeSource } from "../run-output.js";

/** Options given on the command line; each wins over the script's own `execute(...)` argument. */
export type SdkCliOptions = Omit<ExecuteCommandOptions, "file"> & { useCached?: string };

/** runnable 0.50's parameters file variable, which beats the script's own `parameters_file` (its `runnable/context.py`). */
const PARAMETERS_FILE_ENV = "RUNNABLE_PARAMETERS_FILE";

const given = (value: string | undefined): string | undefined => (value ? value : undefined);

/**
 * The options of the run, as runnable 0.50 chooses them for `python pipeline.py` — the config and
 * parameters files from `RUNNABLE_CONFIGURATION_FILE`/`RUNNABLE_PARAMETERS_FILE` before the script's
 * arguments, the run id from the script's `run_id` (then `RUNNABLE_RUN_ID`, `RUNNABLE_RETRY_RUN_ID`: read
 * when the run is prepared, `runtime/environment-inputs.ts`) — with the command line's options
 * (`runnable execute -f script.py ...`) before everything.
 */
export function mergeSdkOptions(payload: SdkPayload, cli: SdkCliOptions, env: CliIo["env"]): SdkCliOptions {
  const args = payload.arguments;
  const merged: SdkCliOptions = { ...cli };
  const entries: [keyof SdkCliOptions, string | undefined][] = [
    ["configFile", cli.configFile ?? configFileFrom(undefined, env) ?? given(args.configuration_file)],
    ["parametersFile", cli.parametersFile ?? given(env[PARAMETERS_FILE_ENV]) ?? given(args.parameters_file)],
    ["runId", cli.runId ?? given(args.run_id)],
    ["tag", cli.tag ?? given(args.tag)],
    ["useCached", cli.useCached ?? given(args.use_cached)],
    ["logLevel", cli.logLevel ?? given(args.log_level)],
  ];
  for (const [key, value] of entries) if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  return merged;
}

/** Runs an SDK pipeline; `runLog` is null when the executor only got the pipeline definition written. */
export async function runSdkPayload(payload: SdkPayload, cli: SdkCliOptions, io: CliIo): Promise<{ code: number; runLog: RunLog | null }> {
  const source = sdkPipelineSource(payload, io.cwd);
  const options = mergeSdkOptions(payload, cli, io.env);
  // Only an executor whose steps run in this process runs an SDK pipeline here; the others load the
  // pipeline again elsewhere (containers, pods), so they get its definition written instead (§3.9).
  // (Its warnings come when the run is prepared.)
  const probe = { ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env, warn: () => undefined };
  const { config, services } = await openServices(probe, ["executor"]);
  const { executor } = services;
  // A job runs with its job-executor wherever that puts it (its graph is recorded with the run).
  if (!(source.kind === "graph" && source.job) && executor.capabilities.placement !== "in-process") {
    const target = payload.arguments.output_pipeline_definition || "runnable-pipeline.yaml";
    await writeDefinition(source.kind === "graph" ? source.serialised : payload.dag, resolve(io.cwd, target));
    if (executor.capabilities.runsWrittenPipeline && source.kind === "graph") {
      // The step processes load the pipeline from the file just written.
      const finished = await executeSource({ ...source, file: target }, options, io);
      return { code: finished.code, runLog: finished.runLog ? await finished.runLog() : null };
    }
    // Nothing is prepared here, so the config's warnings (placeholders kept as written) are shown now.
    const log = createCliLog(options.logLevel, io.err);
    for (const warning of config.warnings ?? []) log.warn(formatProblem(warning));
    io.out(
      `The ${executor.type} executor runs pipelines from a definition file: wrote ${target}; run it with: runnable execute -f ${target}${options.configFile ? ` -c ${options.configFile}` : ""}\n`,
    );
    return { code: EXIT.success, runLog: null };
  }
  // A retry asked for with RUNNABLE_RETRY_RUN_ID is decided where the run is prepared (environment-inputs.ts).
  const finished = await executeSource(source, options, io);
  return { code: finished.code, runLog: finished.runLog ? await finished.runLog() : null };
}

/**
 * The pipeline as runnable writes it (§2.10: its serialised form, with `name`, a task's `node_name`, ...),
 * which `runnable execute -f` reads back (definition/written-form.ts sets those keys aside).
 */
async function writeDefinition(dag: Record<string, unknown>, path: string): Promise<void> {
  const { stringify } = await dynamicImport<typeof import("yaml")>("yaml"); // loaded here only: start-up never needs the yaml library
  await writeAtomic(path, stringify({ dag }, { aliasDuplicateObjects: false }));
}
