import type { Executor } from "../../../ports/executor.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { submitDriver } from "./driver.js";
import { createTracker } from "./job-tracker.js";
import { type LaunchState, launch } from "./launches.js";
import { checkRequests, graphProblems } from "./preflight.js";
import { defaultRunnableCommand } from "./run-folder.js";
import { IN_JOB_ENV } from "./sbatch.js";
import type { SlurmConfig } from "./schema.js";
import { type SlurmCommands, systemSlurm } from "./slurm-commands.js";

/** Task steps of a run submitted at once, however deep the nesting: Slurm queues them (`max_parallel` throttles each array). */
const SUBMITTED_AT_ONCE = 100_000;

/**
 * The `slurm` executor. On the launching machine the engine walks the graph and hands each task step
 * to `launchStep`, which submits it as a batch job running `runnable execute-single-node …` (the items
 * of a map step as one job array) and resolves when the job ended; a failed attempt is retried by
 * submitting the step again. Inside a step's job the same executor runs the step in place: one attempt,
 * no time limit of its own (Slurm's `--time` is the limit), the walk left to the launcher.
 */
export function createSlurmExecutor(config: SlurmConfig, context: PluginContext, slurm: SlurmCommands = systemSlurm(context.env)): Executor {
  const inJob = context.env[IN_JOB_ENV] === "1";
  const base = {
    type: "slurm",
    recordedConfig: { ...config },
    stepTimeLimitMs: () => undefined,
    check: (graph: Parameters<NonNullable<Executor["check"]>>[0]) => (inJob ? [] : graphProblems(graph, config)),
  };
  if (inJob) {
    return { ...base, capabilities: { placement: "in-process", retryByRelaunch: true, memoryStore: false, underLauncher: true }, maxParallel: 1 };
  }
  const state: LaunchState = {
    config,
    context,
    tracker: createTracker(slurm, {
      minMs: 50,
      maxMs: Math.max(50, config.poll_interval_seconds * 1000),
      warn: (message) => context.warn(`executor slurm: ${message}`),
    }),
    runnable: config.runnable_command ?? defaultRunnableCommand(),
    pending: [],
    timer: undefined,
    firstAt: 0,
    leftovers: new Map(),
  };
  return {
    ...base,
    capabilities: { placement: "launched", retryByRelaunch: true, memoryStore: false, detach: true },
    maxParallel: SUBMITTED_AT_ONCE,
    prepare: (graph) => checkRequests(graph, config, slurm, context.warn),
    launchStep: (step) => launch(state, step),
    detach: (request) => submitDriver(state, request),
  };
}
