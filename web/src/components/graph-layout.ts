import dagre from "@dagrejs/dagre";
import type { GraphBranch, GraphNode } from "../api.js";

/** A node placed inside its branch (top-left corner), with its expanded branches when composite. */
export interface PlacedNode {
  node: GraphNode;
  /** Unique across the whole drawing: the branch path plus the node name. */
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  inner: PlacedBranch[];
}

/** A branch laid out: its size, nodes and edges (points relative to the branch). */
export interface PlacedBranch {
  branch: GraphBranch;
  x: number;
  y: number;
  w: number;
  h: number;
  nodes: PlacedNode[];
  edges: Array<{ points: Array<{ x: number; y: number }>; failure: boolean }>;
}

const LEAF = { w: 176, h: 50 };
const TERMINAL = { w: 110, h: 30 };
const HEADER = 46;
const PAD = 10;
const GAP = 14;
const BRANCH_TITLE = 20;

const isTerminal = (node: GraphNode) => node.type === "success" || node.type === "fail";

/** Unreached `fail` nodes that nothing points at only add clutter. */
function visibleNodes(branch: GraphBranch): GraphNode[] {
  const targets = new Set(branch.nodes.flatMap((n) => [n.next, n.on_failure]).filter(Boolean));
  return branch.nodes.filter((n) => !(n.type === "fail" && n.instances === 0 && !targets.has(n.name)));
}

function placeNode(node: GraphNode, id: string, collapsed: Set<string>): PlacedNode {
  if (node.branches.length === 0 || collapsed.has(id)) {
    const size = isTerminal(node) ? TERMINAL : node.branches.length ? { w: LEAF.w, h: LEAF.h + 14 } : LEAF;
    return { node, id, x: 0, y: 0, ...size, inner: [] };
  }
  const inner = node.branches.map((b) => layoutBranch(b, `${id}/${b.name}`, collapsed));
  let x = PAD;
  for (const branch of inner) {
    branch.x = x;
    branch.y = HEADER;
    x += branch.w + GAP;
  }
  const h = HEADER + Math.max(...inner.map((b) => b.h)) + PAD;
  return { node, id, x: 0, y: 0, w: Math.max(LEAF.w, x - GAP + PAD), h, inner };
}

/** Lays out a branch top to bottom with dagre; composite nodes hold their branches side by side. */
export function layoutBranch(branch: GraphBranch, id: string, collapsed: Set<string>): PlacedBranch {
  const nodes = visibleNodes(branch).map((node) => placeNode(node, `${id}/${node.name}`, collapsed));
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 22, ranksep: 28, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const placed of nodes) g.setNode(placed.node.name, { width: placed.w, height: placed.h });
  const names = new Set(nodes.map((n) => n.node.name));
  for (const placed of nodes) {
    const { next, on_failure } = placed.node;
    if (next && names.has(next)) g.setEdge(placed.node.name, next, { failure: false }, "next");
    if (on_failure && names.has(on_failure)) g.setEdge(placed.node.name, on_failure, { failure: true }, "failure");
  }
  dagre.layout(g);
  for (const placed of nodes) {
    const laid = g.node(placed.node.name);
    placed.x = laid.x - placed.w / 2;
    placed.y = laid.y - placed.h / 2 + BRANCH_TITLE;
  }
  const edges = g.edges().map((e) => {
    const label = g.edge(e) as { points?: Array<{ x: number; y: number }>; failure?: boolean };
    return { points: (label.points ?? []).map((p) => ({ x: p.x, y: p.y + BRANCH_TITLE })), failure: label.failure === true };
  });
  const size = g.graph() as { width?: number; height?: number };
  return { branch, x: 0, y: 0, w: Math.max(size.width ?? 0, 140), h: (size.height ?? 0) + BRANCH_TITLE, nodes, edges };
}
