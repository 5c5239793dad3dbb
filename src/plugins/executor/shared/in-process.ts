import { z } from "zod";
import { allNodes, type Graph } from "../../../core/graph.js";
import type { LeafNode } from "../../../ports/executor.js";

/** Config keys every executor that walks the graph in this process (local, mocked) accepts. */
export const inProcessExecutorFields = {
  enable_parallel: z.boolean().default(false),
  max_parallel: z.number().int().min(1).optional(),
  /** Longest one attempt of a step may run, in seconds (runnable's argo key; here for every executor). */
  max_step_duration_in_seconds: z.number().positive().optional(),
  overrides: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
};

/** Every task and stub node of a graph, branches included. */
export function* leafNodes(graph: Graph): Generator<LeafNode> {
  for (const node of allNodes(graph)) if (node.kind === "task" || node.kind === "stub") yield node;
}
