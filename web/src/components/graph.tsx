import { useMemo, useState } from "preact/hooks";
import type { GraphBranch, GraphNode } from "../api.js";
import { formatMs, num, statusClass } from "../format.js";
import { type PlacedBranch, type PlacedNode, layoutBranch } from "./graph-layout.js";

interface Props {
  graph: GraphBranch;
  selected: string | undefined;
  onSelect: (node: GraphNode, id: string) => void;
}

const SYMBOL: Record<string, string> = { SUCCESS: "✓", FAIL: "✗", PROCESSING: "●", CREATED: "○", TRIGGERED: "○" };

function countsText(counts: Record<string, number | undefined>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => (a === "FAIL" ? -1 : b === "FAIL" ? 1 : a.localeCompare(b)))
    .map(([status, n]) => `${num(n ?? 0)} ${SYMBOL[status] ?? status}`)
    .join("  ");
}

/** The status a node is drawn with: its own, or the worst of many instances. */
function nodeStatus(node: GraphNode): string {
  if (node.status) return node.status;
  if (node.instances === 0) return "none";
  for (const status of ["FAIL", "PROCESSING", "CREATED", "SUCCESS"]) if (node.counts[status as keyof typeof node.counts]) return status;
  return "none";
}

function subtitle(node: GraphNode): string {
  if (node.items) return `${num(node.items.total)} items  ${countsText(node.items.counts)}`;
  if (node.iterations) return `${num(node.iterations.total)} iterations  ${countsText(node.iterations.counts)}`;
  if (node.instances > 1) return `${countsText(node.counts)}  median ${formatMs(node.duration_ms)}`;
  if (node.instances === 0) return `${node.type} · not run`;
  if (node.status === "PROCESSING" && node.attempts === 0) return `${node.type} · running…`;
  return `${node.type} · ${formatMs(node.duration_ms)}${node.attempts > 1 ? ` · ${node.attempts} attempts` : ""}`;
}

interface Drawing {
  props: Props;
  toggle: (id: string) => void;
  collapsed: Set<string>;
}

function Node({ placed, d }: { placed: PlacedNode; d: Drawing }) {
  const { node } = placed;
  const props = d.props;
  const collapsed = d.collapsed.has(placed.id);
  const status = nodeStatus(node);
  const composite = node.branches.length > 0;
  const selected = props.selected === placed.id;
  return (
    <g
      transform={`translate(${placed.x},${placed.y})`}
      class={`node ${statusClass(status)} ${composite ? "composite" : ""} ${selected ? "selected" : ""}`}
      data-testid="graph-node"
      data-name={node.name}
      data-id={placed.id}
      data-status={status}
    >
      <rect width={placed.w} height={placed.h} rx={8} onClick={() => props.onSelect(node, placed.id)} />
      <text x={10} y={19} class="node-name" onClick={() => props.onSelect(node, placed.id)}>
        {node.name.length > 26 ? `${node.name.slice(0, 25)}…` : node.name}
      </text>
      {node.type !== "success" && node.type !== "fail" && (
        <text x={10} y={37} class="node-sub" data-testid="node-sub">
          {subtitle(node)}
        </text>
      )}
      {composite && (
        <text x={placed.w - 18} y={19} class="toggle" onClick={() => d.toggle(placed.id)} data-testid="toggle">
          {collapsed ? "▸" : "▾"}
        </text>
      )}
      {placed.inner.map((branch) => (
        <Branch key={branch.branch.name} placed={branch} d={d} />
      ))}
    </g>
  );
}

function Branch({ placed, d }: { placed: PlacedBranch; d: Drawing }) {
  return (
    <g
      transform={`translate(${placed.x},${placed.y})`}
      class={placed.branch.not_taken ? "branch not-taken" : "branch"}
      data-testid="graph-branch"
      data-name={placed.branch.name}
      data-taken={placed.branch.not_taken ? "no" : "yes"}
    >
      <rect class="branch-box" width={placed.w} height={placed.h} rx={6} />
      <text x={8} y={14} class="branch-title">
        {placed.branch.name}
        {placed.branch.not_taken ? "  (not taken)" : ""}
        {placed.branch.instances > 1 ? `  (${countsText(placed.branch.counts)})` : ""}
      </text>
      {placed.edges.map((edge, i) => (
        <path key={i} class={edge.failure ? "edge failure" : "edge"} d={`M${edge.points.map((p) => `${p.x},${p.y}`).join(" L")}`} marker-end="url(#arrow)" />
      ))}
      {placed.nodes.map((node) => (
        <Node key={node.id} placed={node} d={d} />
      ))}
    </g>
  );
}

/** The pipeline graph: steps with their statuses; composite steps expand into their branches. */
export function PipelineGraph(props: Props) {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const placed = useMemo(() => layoutBranch(props.graph, "", collapsed), [props.graph, collapsed]);
  const toggle = (id: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <div class="graph-wrap" data-testid="graph">
      <svg width={placed.w + 4} height={placed.h + 4} class="graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#7a8696" />
          </marker>
        </defs>
        <Branch placed={placed} d={{ props, toggle, collapsed }} />
      </svg>
    </div>
  );
}
