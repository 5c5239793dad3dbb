import { RunnableError } from "../core/errors.js";
import { allNodes, type Graph } from "../core/graph.js";
import { PARAMETER_PREFIXES, encodeEnvValue } from "../core/parameters.js";
import type { Parameters } from "../core/run-log.js";
import type { TaskRunner } from "../ports/task-runner.js";

/** Linux's limit on one `NAME=value` string of a process's environment (MAX_ARG_STRLEN: 32 pages). */
export const MAX_ENV_ENTRY_BYTES = 128 * 1024;

/**
 * Refuses, before a run, starting parameters that no task process could be started with: when the
 * pipeline has a task whose runner passes parameters in the environment (`parametersInEnvironment`),
 * each `RUNNABLE_PRM_<name>=<JSON>` must fit one environment string, or every such task would fail
 * to start (`spawn E2BIG`) once the run got there.
 */
export function checkParametersFitEnvironment(graph: Graph, runners: ReadonlyMap<string, TaskRunner>, parameters: Parameters): void {
  const launching = [...allNodes(graph)].find((node) => node.kind === "task" && runners.get(node.task.command_type)?.parametersInEnvironment);
  if (!launching) return;
  const prefix = PARAMETER_PREFIXES[0];
  for (const [name, value] of Object.entries(parameters)) {
    const bytes = Buffer.byteLength(`${prefix}${name}=${encodeEnvValue(value)}`) + 1;
    if (bytes <= MAX_ENV_ENTRY_BYTES) continue;
    throw new RunnableError(
      "PARAMETERS_INVALID",
      `parameter ${name} is ${Math.ceil(bytes / 1024)} KiB as the environment variable ${prefix}${name}, more than the ${MAX_ENV_ENTRY_BYTES / 1024} KiB a process's environment variable holds: step "${launching.internalName}" (and every task started as a process) could not start`,
      { hint: "keep large data in a file (put it in the catalog) and pass its name as the parameter" },
    );
  }
}
