import { availableParallelism } from "node:os";
import type { z } from "zod";
import type { Problem } from "../../../core/errors.js";
import type { Graph, TaskNode } from "../../../core/graph.js";
import { overrideProblems, stepTimeLimitMs } from "../../../core/overrides.js";
import { suggestion } from "../../../core/suggest.js";
import type { Executor, LeafNode, StepDisposition } from "../../../ports/executor.js";
import type { PluginContext } from "../../../ports/plugin.js";
import { leafNodes } from "../shared/in-process.js";
import type { buildMockedExecutorConfigSchema } from "./index.js";

type MockedConfig = z.output<ReturnType<typeof buildMockedExecutorConfigSchema>>;

/** The task a patch turns `node` into: its command (and notebook options) replaced, its kind kept. */
function patched(node: TaskNode, patch: MockedConfig["patches"][string]): TaskNode {
  const { command_type: _ignored, ...fields } = patch;
  return { ...node, task: { ...node.task, ...fields, command_type: node.task.command_type } };
}

/** Patches that cannot apply: a stub (it has no command) or a name no task has. */
function patchProblems(graph: Graph, patches: MockedConfig["patches"]): Problem[] {
  const leaves = [...leafNodes(graph)];
  const problems: Problem[] = [];
  for (const name of Object.keys(patches)) {
    const named = leaves.filter((node) => node.name === name);
    const stub = named.find((node) => node.kind === "stub");
    if (stub) {
      problems.push({
        message: `executor mocked: patch "${name}" names a stub step; stubs run no command, so they cannot be patched (make it a task, or remove the patch)`,
        ...stub.source,
      });
    } else if (named.length === 0) {
      const tasks = [...new Set(leaves.filter((node) => node.kind === "task").map((node) => node.name))];
      problems.push({ message: `executor mocked: patch "${name}" names no task step${suggestion(name, tasks, "task steps")}` });
    }
  }
  return problems;
}

/** Creates the mocked executor from its validated config. */
export function createMockedExecutor(config: MockedConfig, context: PluginContext): Executor {
  if (config.max_parallel !== undefined && !config.enable_parallel) {
    context.warn(`executor mocked: max_parallel ${config.max_parallel} has no effect without enable_parallel: true`);
  }
  for (const [name, patch] of Object.entries(config.patches)) {
    if (patch.command_type !== undefined) context.warn(`executor mocked: patch "${name}" sets command_type, which is ignored (a patch keeps the task's kind)`);
  }
  const { overrides, patches, ...settings } = config;
  return {
    type: "mocked",
    // As in runnable, a mocked run needs a persistent store: it is there to be looked at afterwards.
    capabilities: { placement: "in-process", retryByRelaunch: false, memoryStore: false },
    recordedConfig: { enable_parallel: config.enable_parallel, overrides, patches },
    maxParallel: config.enable_parallel ? (config.max_parallel ?? availableParallelism()) : 1,
    stepTimeLimitMs: (node) => stepTimeLimitMs(settings, overrides, "mocked", node),
    disposition(node: LeafNode): StepDisposition {
      const patch = node.kind === "task" && Object.hasOwn(patches, node.name) ? patches[node.name] : undefined;
      return patch && node.kind === "task" ? { kind: "run", node: patched(node, patch) } : { kind: "mock" };
    },
    check: (graph) => [...patchProblems(graph, patches), ...overrideProblems(settings, overrides, "mocked", leafNodes(graph))],
  };
}
