import { failedOrError, type Phase } from "./types.js";

/** A finished DAG task as the phase assessment sees it. */
export interface FinishedTask {
  phase: Phase;
  dependencies: ReadonlySet<string>;
}

/**
 * The phase of a finished DAG, as `assessDAGPhase` (workflow/controller/dag.go, v4.1.2) decides it:
 * the target tasks are those no other task depends on; a completed target has its own phase, an
 * omitted or skipped one inherits the phase of the last completed task on the way to it, preferring
 * Failed/Error (a BFS from the root tasks that visits each task once per inherited phase). With
 * `failFast` (the DAG default) the first failed target decides. Simplification: expanded (withParam)
 * tasks and nested DAGs count as one node with their own phase; Argo walks through their children.
 */
export function assessDagPhase(tasks: ReadonlyMap<string, FinishedTask>, failFast: boolean): Phase {
  const children = new Map<string, string[]>([...tasks.keys()].map((name) => [name, []]));
  for (const [name, task] of tasks) for (const dep of task.dependencies) children.get(dep)?.push(name);
  const targets = [...tasks.keys()].filter((name) => children.get(name)!.length === 0).sort();
  const deduced = new Map<string, Phase | "">(targets.map((t) => [t, ""]));
  const queue: [string, Phase][] = [...tasks].filter(([, t]) => t.dependencies.size === 0).map(([name]) => [name, "Succeeded"]);
  const seen = new Set(queue.map(([name, phase]) => `${name}-${phase}`));
  while (queue.length > 0) {
    const [name, inherited] = queue.shift()!;
    const task = tasks.get(name)!;
    const completed = task.phase === "Succeeded" || failedOrError(task.phase);
    const branch = completed ? task.phase : inherited;
    if (deduced.has(name) && !failedOrError(deduced.get(name))) deduced.set(name, branch);
    for (const child of children.get(name)!) {
      const key = `${child}-${branch}`;
      if (!seen.has(key)) {
        seen.add(key);
        queue.push([child, branch]);
      }
    }
  }
  let result: Phase = "Succeeded";
  for (const target of targets) {
    const phase = deduced.get(target);
    if (failedOrError(phase || undefined)) {
      result = phase as Phase;
      if (failFast) break;
    }
  }
  return result;
}
