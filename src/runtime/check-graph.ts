import type { Problem } from "../core/errors.js";
import { allNodes, type Graph, type Node } from "../core/graph.js";
import { BUILTIN_REDUCERS } from "../core/reducers.js";
import type { TaskRunner } from "../ports/task-runner.js";

/**
 * Checks what only the runtime can know before a run starts: a runner exists for every task's
 * `command_type`, each runner accepts its tasks (modules load, exports exist), reducers are known (built
 * in, or written in the language of a runner that `reduces` them).
 */
export async function checkRunnable(graph: Graph, runners: Map<string, TaskRunner>, cwd: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  const at = (node: Node, message: string): Problem => ({ message, ...node.source });
  const reducible = (expression: string): boolean =>
    Object.hasOwn(BUILTIN_REDUCERS, expression) || [...runners.values()].some((runner) => runner.reduces?.(expression));
  for (const node of allNodes(graph)) {
    if (node.kind === "map" && node.reducer && !reducible(node.reducer)) {
      const why = `unknown reducer "${node.reducer}"; built-in reducers: ${Object.keys(BUILTIN_REDUCERS).join(", ")}, or a Python lambda or dotted function path`;
      problems.push(at(node, `step "${node.internalName}": ${why}`));
    }
    if (node.kind !== "task") continue;
    const runner = runners.get(node.task.command_type);
    if (!runner) {
      problems.push(at(node, `step "${node.internalName}": unknown command_type "${node.task.command_type}"; known: ${[...runners.keys()].join(", ")}`));
      continue;
    }
    for (const message of (await runner.check?.(node, cwd)) ?? []) problems.push(at(node, message));
  }
  return problems;
}
