import type { Graph, Node } from "../core/graph.js";
import { DAG_BRANCH, DEFAULT_BRANCH, LOOP_PLACEHOLDER } from "../core/names.js";

/**
 * The branch of a composite node named `segment` (map: any name; dag: only `dag`; parallel and
 * conditional: its key, a conditional's `default` too; loop: an iteration index or the placeholder).
 */
function branchOf(node: Node, segment: string): Graph | undefined {
  switch (node.kind) {
    case "parallel":
      return Object.hasOwn(node.branches, segment) ? node.branches[segment] : undefined;
    case "conditional":
      if (Object.hasOwn(node.branches, segment)) return node.branches[segment];
      return segment === DEFAULT_BRANCH ? (node.default ?? undefined) : undefined;
    case "map":
      return node.branch;
    case "loop":
      return segment === LOOP_PLACEHOLDER || /^\d+$/.test(segment) ? node.branch : undefined;
    case "dag":
      return segment === DAG_BRANCH ? node.branch : undefined;
    default:
      return undefined;
  }
}

/** The node with this internal name (dot path alternating step and branch, §2.8); map items may be resolved or placeholders. */
export function findNode(graph: Graph, internalName: string): Node | undefined {
  const segments = internalName.split(".");
  let current: Graph | undefined = graph;
  let node: Node | undefined;
  for (let i = 0; i < segments.length; i += 2) {
    node = current?.nodes.get(segments[i] as string);
    if (!node) return undefined;
    const branchSegment = segments[i + 1];
    if (branchSegment === undefined) return node;
    current = branchOf(node, branchSegment);
  }
  return undefined;
}

/** The branch graph with this internal branch name (`""` is the graph itself). */
export function findBranch(graph: Graph, internalBranchName: string): Graph | undefined {
  if (internalBranchName === "") return graph;
  const at = internalBranchName.lastIndexOf(".");
  if (at < 0) return undefined;
  const owner = findNode(graph, internalBranchName.slice(0, at));
  return owner ? branchOf(owner, internalBranchName.slice(at + 1)) : undefined;
}
