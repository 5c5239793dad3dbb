import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { Problem } from "../../../core/errors.js";
import { TASK_FUNCTION, allNodes, type Graph, type TaskNode } from "../../../core/graph.js";
import type { Executor, RemoteStep, RemoteStepResult } from "../../../ports/executor.js";
import type { Peers, PluginContext } from "../../../ports/plugin.js";
import { checkContainerSetup, imagesForGraph, systemDeps, type ContainerSetup } from "./check.js";
import { type ContainerMount, containerRunCommand, containerSettingsFor, mountedLocations, serviceEnvNames, serviceMounts } from "./container-run.js";
import type { LocalContainerConfig } from "./schema.js";

/** Set in a step's container, so the executor inside runs its step there instead of starting another container. */
export const IN_CONTAINER_ENV = "RUNNABLE_IN_CONTAINER";

/** Inline SDK functions cannot cross into a container: the image must load the task from a file. */
function inlineProblems(graph: Graph, config: LocalContainerConfig): Problem[] {
  const problems: Problem[] = [];
  for (const node of allNodes(graph)) {
    if (node.kind !== "task" || containerSettingsFor(node, config).runInLocal) continue;
    if (typeof (node.task as unknown as Record<symbol, unknown>)[TASK_FUNCTION] === "function") {
      problems.push({
        message: `executor local-container: step "${node.internalName}" is an inline TypeScript function, which cannot run in a container; give it a command (module.ts#export) the image holds, or run_in_local through an override`,
        ...node.source,
      });
    }
  }
  return problems;
}

/** Variables a step's process gets from the host (config variables, so the container substitutes the same config). */
function contextEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const passed: Record<string, string> = { [IN_CONTAINER_ENV]: "1" };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && /^(RUNNABLE|runnable)_VAR_/.test(name)) passed[name] = value;
  }
  return passed;
}

/**
 * The `local-container` executor: the host walks the graph; every task step (unless `run_in_local`)
 * runs in a container of its image as `runnable execute-single-node ...`, with the stores mounted where
 * the container's own config finds them, and records itself in the shared store. Inside that container
 * the same executor runs the step in place.
 */
export function createLocalContainerExecutor(config: LocalContainerConfig, context: PluginContext): Executor {
  const inContainer = context.env[IN_CONTAINER_ENV] === "1";
  let setup: ContainerSetup | undefined;
  const executor: Executor = {
    type: "local-container",
    // In a step's container the host walks the graph: the step runs here, and the host follows a failure.
    capabilities: inContainer
      ? { placement: "in-process", retryByRelaunch: false, memoryStore: false, underLauncher: true }
      : { placement: "launched", retryByRelaunch: false, memoryStore: false },
    recordedConfig: { ...config },
    maxParallel: config.enable_parallel ? availableParallelism() : 1,
    stepTimeLimitMs: (node) => {
      const seconds = node.kind === "task" ? containerSettingsFor(node, config).maxStepDurationSeconds : config.max_step_duration_in_seconds;
      return seconds ? seconds * 1000 : undefined;
    },
    check: (graph) => (inContainer ? [] : inlineProblems(graph, config)),
  };
  if (inContainer) return executor;
  return {
    ...executor,
    prepare: async (graph) => {
      setup = await checkContainerSetup(config, imagesForGraph(graph, config), systemDeps(context.env));
    },
    runsHere: (node: TaskNode) => containerSettingsFor(node, config).runInLocal,
    launchStep: (step) => launchInContainer(step, config, setup, context),
  };
}

/** What to mount for the run's services: folders are made on the host (a first run has made none yet); a missing secrets file is left out. */
async function hostMounts(peers: Peers, cwd: string, workdir: string): Promise<ContainerMount[]> {
  const mounts = serviceMounts(mountedLocations(peers), cwd, workdir);
  for (const mount of mounts) if (mount.service !== "secrets") await mkdir(mount.source, { recursive: true });
  return mounts.filter((mount) => mount.service !== "secrets" || existsSync(mount.source));
}

async function launchInContainer(
  step: RemoteStep,
  config: LocalContainerConfig,
  setup: ContainerSetup | undefined,
  context: PluginContext,
): Promise<RemoteStepResult> {
  if (!setup) return { exitCode: 1, problem: "executor local-container was not prepared (the runtime and images are checked before the run)" };
  const peers: Peers | undefined = context.peers?.();
  if (!peers) return { exitCode: 1, problem: "executor local-container was created outside a run: it does not know the run's services" };
  if (!step.pipelineFile && !step.recordsGraph) {
    return {
      exitCode: 1,
      problem: "a container step needs the pipeline in a file the image holds (pipelines built in code have none): run it with `runnable execute -f <file>`",
    };
  }
  const settings = containerSettingsFor(step.node, config);
  const image = setup.images.get(settings.image);
  if (!image) return { exitCode: 1, problem: `image ${settings.image} was not checked before the run` };
  const name = `runnable-${step.runId}-${randomBytes(4).toString("hex")}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
  const present = await hostMounts(peers, step.cwd, image.workdir);
  const run = containerRunCommand({
    runtime: setup.runtime,
    settings,
    runId: step.runId,
    internalName: step.node.internalName,
    mapVariable: step.mapVariable,
    pipelineFile: step.pipelineFile,
    configFile: step.configFile,
    parametersFile: step.parametersFile,
    tag: step.tag,
    mounts: present,
    contextEnv: { ...contextEnv(context.env), RUNNABLE_IMAGE_ID: image.id, RUNNABLE_IMAGE: settings.image },
    name,
    passEnv: serviceEnvNames(peers.services, context.env),
  });
  const deps = systemDeps(context.env);
  // A stop reaches the step's process in the container as the signal that stopped the run; after the
  // grace period the container is removed. The runtime's client then ends by itself.
  const stopContainer = (): void => {
    const reason = step.signal.reason as { kind?: string; signal?: string } | undefined;
    void deps.exec(setup.runtime, ["kill", "--signal", reason?.kind === "signal" && reason.signal ? reason.signal : "SIGTERM", name]);
    setTimeout(() => void deps.exec(setup.runtime, ["rm", "--force", "--ignore", name]), step.graceMs + 2_000).unref();
  };
  step.signal.addEventListener("abort", stopContainer, { once: true });
  try {
    const exit = await step.spawn({
      command: run.command,
      args: run.args,
      cwd: step.cwd,
      env: Object.fromEntries(Object.entries(context.env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    });
    if (exit.spawnError) return { exitCode: 127, problem: `could not start ${run.command}: ${exit.spawnError.message}` };
    return { exitCode: exit.code };
  } finally {
    step.signal.removeEventListener("abort", stopContainer);
    // A stopped container is removed even when auto_remove_container is off (it would hold the step).
    if (step.signal.aborted) await deps.exec(setup.runtime, ["rm", "--force", "--ignore", name]).catch(() => undefined);
  }
}
