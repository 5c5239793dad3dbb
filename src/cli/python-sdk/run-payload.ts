import { rename, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { formatProblem } from "../../core/errors.js";
import type { RunLog } from "../../core/run-log.js";
import { configFileFrom } from "../../config/load-config.js";
import type { PipelineSource } from "../../runtime/load-pipeline-source.js";
import { openServices } from "../../runtime/open-store.js";
import { type SdkPayload, sdkPipelineSource } from "../../runtime/sdk-payload.js";
import { type ExecuteCommandOptions, executeSource } from "../run-output.js";
import type { CliIo } from "../io.js";
import { createCliLog } from "../log-level.js";
import { EXIT } from "../report-error.js";

/** Options given on the command line; each wins over the script's own `execute(...)` argument. */
export type SdkCliOptions = Omit<ExecuteCommandOptions, "file"> & { useCached?: string };

/** The options of the run: the command line's first, then the script's arguments (the config and parameters env vars beat the script's). */
export function mergeSdkOptions(payload: SdkPayload, cli: SdkCliOptions, env: CliIo["env"]): SdkCliOptions {
  const args = payload.arguments;
  const given = (value: string | undefined): string | undefined => (value ? value : undefined);
  const merged: SdkCliOptions = { ...cli };
  const configFile = cli.configFile ?? configFileFrom(undefined, env) ?? given(args.configuration_file);
  const entries: [keyof SdkCliOptions, string | undefined][] = [
    ["configFile", configFile],
    // As runnable 0.50: RUNNABLE_PARAMETERS_FILE beats the script's parameters_file (a run id given by the script beats RUNNABLE_RUN_ID).
    ["parametersFile", cli.parametersFile ?? given(env["RUNNABLE_PARAMETERS_FILE"]) ?? given(args.parameters_file)],
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
  if (executor.capabilities.placement !== "in-process") {
    // Nothing is prepared here, so the config's warnings (placeholders kept as written) are shown now.
    const log = createCliLog(options.logLevel, io.err);
    for (const warning of config.warnings ?? []) log.warn(formatProblem(warning));
    const target = payload.arguments.output_pipeline_definition || "runnable-pipeline.yaml";
    await writeDefinition(source, resolve(io.cwd, target));
    io.out(
      `The ${executor.type} executor runs pipelines from a definition file: wrote ${target}; run it with: runnable execute -f ${target}${options.configFile ? ` -c ${options.configFile}` : ""}\n`,
    );
    return { code: EXIT.success, runLog: null };
  }
  const finished = await executeSource(source, options, io);
  return { code: finished.code, runLog: finished.runLog ? await finished.runLog() : null };
}

async function writeDefinition(source: PipelineSource, path: string): Promise<void> {
  const serialised = source.kind === "graph" ? source.serialised : {};
  const temporary = `${path}.${process.pid}.tmp`;
  const { stringify } = await import("yaml"); // loaded here only: start-up never needs the yaml library
  await writeFile(temporary, stringify({ dag: serialised }));
  await rename(temporary, path);
}
