import { overrideProblems, stepTimeLimitMs } from "../../../core/overrides.js";
import type { Executor, RemoteStep, RemoteStepResult } from "../../../ports/executor.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { leafNodes } from "../shared/in-process.js";
import { runnableCommand, singleNodeArgs } from "../shared/runnable-command.js";
import type { z } from "zod";
import type { emulatorConfigSchema } from "./index.js";

/** Set in a step's process, so the emulator there runs its step in place instead of launching another. */
export const EMULATED_STEP_ENV = "RUNNABLE_EMULATED_STEP";

type EmulatorConfig = z.output<typeof emulatorConfigSchema>;

/**
 * The `emulator` executor: the walking process launches each task step as `runnable execute-single-node`
 * (stopped with the step, like any task process); in that step process the same config gives an
 * emulator that runs the step in place, under its launcher.
 */
export function createEmulatorExecutor(config: EmulatorConfig, context: PluginContext): Executor {
  const inStep = context.env[EMULATED_STEP_ENV] === "1";
  const { overrides, ...settings } = config;
  const executor: Executor = {
    type: "emulator",
    capabilities: inStep
      ? { placement: "in-process", retryByRelaunch: false, memoryStore: false, underLauncher: true }
      : { placement: "launched", retryByRelaunch: false, memoryStore: false, runsWrittenPipeline: true },
    recordedConfig: { ...config },
    maxParallel: 1,
    stepTimeLimitMs: (node) => stepTimeLimitMs(settings, overrides, "emulator", node),
    check: (graph) => overrideProblems(settings, overrides, "emulator", leafNodes(graph)),
  };
  if (inStep) return executor;
  const runnable = runnableCommand();
  return { ...executor, launchStep: (step) => launchHere(step, runnable, context) };
}

async function launchHere(step: RemoteStep, runnable: readonly string[], context: PluginContext): Promise<RemoteStepResult> {
  if (!step.pipelineFile) {
    return {
      exitCode: 1,
      problem: "executor emulator: the step process reads the pipeline from a file, and this run has none: run it with `runnable execute <file>`",
    };
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(context.env)) if (value !== undefined) env[name] = value;
  env[EMULATED_STEP_ENV] = "1";
  const [command, ...prefix] = runnable;
  const exit = await step.spawnStopped({ command: command!, args: [...prefix, ...singleNodeArgs(step)], cwd: step.cwd, env });
  if (exit.spawnError) return { exitCode: 127, problem: `could not start ${command}: ${exit.spawnError.message}` };
  return { exitCode: exit.code };
}
