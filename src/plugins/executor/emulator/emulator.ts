import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Executor, RemoteStep, RemoteStepResult } from "../../../ports/executor.js";
import type { PluginContext } from "../../../ports/plugin.js";

/** Set in a step's process: the same executor then runs the step in place, under the launching walk. */
export const EMULATED_STEP_ENV = "RUNNABLE_EMULATED_STEP";

/** The `emulator` executor: placement `launched`, each task step a `runnable execute-single-node` process. */
export function createEmulatorExecutor(context: PluginContext): Executor {
  const inStep = context.env[EMULATED_STEP_ENV] === "1";
  const executor: Executor = {
    type: "emulator",
    capabilities: inStep
      ? { placement: "in-process", retryByRelaunch: false, memoryStore: false, underLauncher: true }
      : { placement: "launched", retryByRelaunch: false, memoryStore: false },
    recordedConfig: {},
    maxParallel: 1,
    stepTimeLimitMs: () => undefined,
  };
  return inStep ? executor : { ...executor, launchStep: (step) => launchProcess(step, context) };
}

/** This package's command line (bin/runnable.js), found above this module wherever it was built to. */
function runnableCli(): string | undefined {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(folder, "bin", "runnable.js");
    if (existsSync(candidate) && existsSync(join(folder, "package.json"))) return candidate;
    folder = dirname(folder);
  }
  return undefined;
}

async function launchProcess(step: RemoteStep, context: PluginContext): Promise<RemoteStepResult> {
  if (!step.pipelineFile && !step.recordsGraph) {
    return {
      exitCode: 1,
      problem: "an emulated step needs the pipeline in a file (pipelines built in code have none): run it with `runnable execute -f <file>`",
    };
  }
  const cli = runnableCli();
  if (!cli) return { exitCode: 127, problem: "the emulator could not find runnable's command line (bin/runnable.js) beside its code" };
  const option = (flag: string, value: string | null) => (value ? [flag, value] : []);
  const args = [
    cli,
    "execute-single-node",
    step.runId,
    step.node.internalName.replace(/ /g, "%"),
    ...option("--file", step.pipelineFile),
    ...(step.mapVariable.length > 0 ? ["--map-variable", JSON.stringify(Object.fromEntries(step.mapVariable))] : []),
    ...option("--config-file", step.configFile),
    ...option("--parameters-file", step.parametersFile),
    ...option("--tag", step.tag || null),
  ];
  const env = Object.fromEntries(Object.entries(context.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const exit = await step.spawn({ command: process.execPath, args, cwd: step.cwd, env: { ...env, [EMULATED_STEP_ENV]: "1" } });
  if (exit.spawnError) return { exitCode: 127, problem: `could not start ${process.execPath}: ${exit.spawnError.message}` };
  return { exitCode: exit.code };
}
