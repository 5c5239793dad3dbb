import { assertNever } from "../core/graph.js";
import { cloneJson } from "../core/parameters.js";
import type { CatalogSpec, ConditionalNode, Graph, LoopNode, Node, TaskNode, TraversableNode } from "../core/graph.js";

/** A graph in runnable's serialised form (`run_config.dag`, §2.10); plain JSON. */
export function serialiseGraph(graph: Graph): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const [name, node] of graph.nodes) steps[name] = serialiseNode(node);
  return { start_at: graph.startAt, name: graph.name, description: graph.description, steps };
}

function traversal(node: TraversableNode): Record<string, unknown> {
  return { next: node.next, on_failure: node.onFailure, overrides: { ...node.overrides } };
}

function catalog(spec: CatalogSpec | null): Record<string, unknown> | null {
  return spec ? { get: [...spec.get], put: [...spec.put], ...(spec.storeCopy === false && { store_copy: false }) } : null;
}

function serialiseTask(node: TaskNode, common: Record<string, unknown>): Record<string, unknown> {
  return {
    ...common,
    ...traversal(node),
    catalog: catalog(node.catalog),
    max_attempts: node.maxAttempts,
    ...cloneJson({ ...node.task }),
    ...(node.secrets.length > 0 && { secrets: [...node.secrets] }),
    // As runnable 0.50 writes them: every entry `{name, kind}`.
    ...(node.returns && { returns: node.returns.map(({ name, kind }) => ({ name, kind })) }),
    node_name: node.name,
  };
}

function serialiseControl(node: ConditionalNode | LoopNode, common: Record<string, unknown>): Record<string, unknown> {
  if (node.kind === "conditional") {
    const branches: Record<string, unknown> = {};
    for (const [key, branch] of Object.entries(node.branches)) branches[key] = serialiseGraph(branch);
    const fallback = node.default && { default: serialiseGraph(node.default) };
    return { ...common, ...traversal(node), parameter: node.parameter, branches, ...fallback, is_composite: true };
  }
  return {
    ...common,
    ...traversal(node),
    branch: serialiseGraph(node.branch),
    max_iterations: node.maxIterations,
    break_on: node.breakOn,
    ...(node.indexAs && { index_as: node.indexAs }),
    is_composite: true,
  };
}

/** One node in runnable's serialised form. */
export function serialiseNode(node: Node): Record<string, unknown> {
  const common = { type: node.kind, name: node.name };
  switch (node.kind) {
    case "success":
    case "fail":
      return common;
    case "task":
      return serialiseTask(node, common);
    case "stub":
      // extra keys come last; `name` is set again so that an extra `name` cannot replace the step's
      return { ...common, ...traversal(node), catalog: catalog(node.catalog), max_attempts: node.maxAttempts, ...cloneJson(node.extra), name: node.name };
    case "parallel": {
      const branches: Record<string, unknown> = {};
      for (const [key, branch] of Object.entries(node.branches)) branches[key] = serialiseGraph(branch);
      return { ...common, ...traversal(node), branches };
    }
    case "map":
      return {
        ...common,
        ...traversal(node),
        iterate_on: node.iterateOn,
        iterate_as: node.iterateAs,
        branch: serialiseGraph(node.branch),
        ...(node.reducer !== null && { reducer: node.reducer }),
        is_composite: true,
      };
    case "dag":
      return {
        ...common,
        ...traversal(node),
        dag_definition: node.dagDefinition,
        branch: serialiseGraph(node.branch),
        internal_branch_name: node.branch.internalBranchName,
        is_composite: true,
      };
    case "conditional":
    case "loop":
      return serialiseControl(node, common);
    default:
      return assertNever(node);
  }
}
