import { RunnableError, type Problem } from "../../../core/errors.js";
import { allNodes, type Graph, TASK_FUNCTION, type TaskNode } from "../../../core/graph.js";
import type { SlurmConfig } from "./schema.js";
import { type JobSettings, jobSettingsFor, resourceArgs, settingsKey, timeLimitNote } from "./settings.js";
import { type SlurmCommands, testRequest } from "./slurm-commands.js";

// What is checked before a run starts: every task step can be a batch job (its override bundle exists,
// it is not an inline function), and Slurm would accept each distinct request (`sbatch --test-only`:
// partition, account, qos, resources and extra options), so nothing is found wrong halfway through.

function taskNodes(graph: Graph): TaskNode[] {
  return [...allNodes(graph)].filter((node): node is TaskNode => node.kind === "task");
}

/** Problems with the graph's task steps as batch jobs, located at each step. */
export function graphProblems(graph: Graph, config: SlurmConfig): Problem[] {
  const problems: Problem[] = [];
  for (const node of taskNodes(graph)) {
    try {
      jobSettingsFor(node, config);
    } catch (error) {
      problems.push({ message: `step "${node.internalName}": ${(error as Error).message}`, ...node.source });
    }
    if (typeof (node.task as unknown as Record<symbol, unknown>)[TASK_FUNCTION] === "function") {
      problems.push({
        message: `executor slurm: step "${node.internalName}" is an inline TypeScript function, which cannot run in a batch job; give it a command (module.ts#export) on the shared file system`,
        ...node.source,
      });
    }
  }
  return problems;
}

/** The distinct requests of the graph's steps, each with the steps that make it. */
function requestsOf(graph: Graph, config: SlurmConfig): Map<string, { settings: JobSettings; steps: string[] }> {
  const requests = new Map<string, { settings: JobSettings; steps: string[] }>();
  for (const node of taskNodes(graph)) {
    const settings = jobSettingsFor(node, config);
    const key = settingsKey(settings);
    const found = requests.get(key);
    if (found) found.steps.push(node.internalName);
    else requests.set(key, { settings, steps: [node.internalName] });
  }
  return requests;
}

/** Asks Slurm whether it would accept each distinct request (nothing is submitted); notes time limits rounded up to minutes. */
export async function checkRequests(graph: Graph, config: SlurmConfig, slurm: SlurmCommands, warn: (message: string) => void): Promise<void> {
  const refused: string[] = [];
  const notes = new Set<string>();
  for (const { settings, steps } of requestsOf(graph, config).values()) {
    const where = steps.length > 3 ? `${steps.slice(0, 3).join(", ")} and ${steps.length - 3} more` : steps.join(", ");
    const complaint = await testRequest(slurm, resourceArgs(settings));
    if (complaint) refused.push(`steps ${where} (${resourceArgs(settings).join(" ") || "no options"}): ${complaint}`);
    const note = settings.maxStepDurationSeconds === undefined ? undefined : timeLimitNote(settings.maxStepDurationSeconds, `steps ${where}`);
    if (note) notes.add(note);
  }
  if (refused.length > 0) {
    const missing = refused.some((line) => line.includes("not found on PATH"));
    throw new RunnableError("CONFIG_INVALID", `executor slurm: Slurm would refuse the jobs of ${refused.join("; ")}`, {
      hint: missing
        ? "run on a machine of the cluster (a login node) with Slurm's commands on PATH (e.g. `module load slurm`)"
        : "fix the executor's partition, account, qos, resources or sbatch_args (globally or in the steps' override bundles); `sinfo` lists the partitions",
    });
  }
  for (const note of notes) warn(note);
}
