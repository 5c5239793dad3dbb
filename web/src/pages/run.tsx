import { useState } from "preact/hooks";
import { type GraphNode, type Location, type MetricSeries, type RunView, getJson, runPath } from "../api.js";
import { PipelineGraph } from "../components/graph.js";
import { ItemsList } from "../components/items.js";
import { MetricsView } from "../components/metrics.js";
import { Counts, StatusBadge } from "../components/status.js";
import { StepPanel } from "../components/step-panel.js";
import { SweepsTab } from "../components/sweeps-tab.js";
import { cellText, formatMs, formatTime } from "../format.js";
import { useLoad } from "../hooks.js";
import { href, navigate, paramsOf } from "../router.js";

const TABS = ["graph", "sweeps", "metrics", "parameters"] as const;

function parseLocation(text: string | null): Location {
  try {
    const parsed = JSON.parse(text ?? "[]") as unknown;
    return Array.isArray(parsed) ? (parsed as Location) : [];
  } catch {
    return [];
  }
}

function Header({ view }: { view: RunView }) {
  const run = view.run;
  const duration = run.start_ms !== null && run.end_ms !== null ? run.end_ms - run.start_ms : null;
  return (
    <div class="run-header">
      <h1>
        {run.run_id} <StatusBadge status={run.status} stale={run.stale} />
      </h1>
      <p class="muted">
        {run.pipeline_file ?? "(SDK pipeline)"} · tag {run.tag || "-"} · started {formatTime(run.start_ms) || "-"}
        {duration !== null ? ` · ${formatMs(duration)}` : ""}
        {run.status === "PROCESSING" && !run.stale ? " · live" : run.status === "TRIGGERED" ? " · submitted, its walker has not started yet" : ""}
      </p>
    </div>
  );
}

function Breadcrumbs({ runId, branch, params }: { runId: string; branch: Location; params: Record<string, string> }) {
  if (branch.length === 0) return null;
  const crumbs = branch.map(([step, key], i) => ({
    label: key.startsWith(`${step}.`) ? `${step} › ${key.slice(step.length + 1)}` : key,
    to: branch.slice(0, i + 1),
  }));
  return (
    <p class="crumbs" data-testid="crumbs">
      <a href={href(["run", runId], { tab: params.tab })}>pipeline</a>
      {crumbs.map((c, i) => (
        <span key={i}>
          {" / "}
          <a href={href(["run", runId], { tab: params.tab, branch: JSON.stringify(c.to) })}>{c.label}</a>
        </span>
      ))}
    </p>
  );
}

function Side({ runId, node, live, params }: { runId: string; node: GraphNode | undefined; live: boolean; params: Record<string, string> }) {
  const stepKey = params.step;
  const location = parseLocation(params.loc ?? null);
  const open = (branch: Location) => navigate(["run", runId], { tab: "graph", branch: JSON.stringify(branch) });
  if (!stepKey && !node) return <p class="muted">Select a step to see its attempts, parameters, catalog, log and metrics.</p>;
  if (!stepKey && node) {
    return (
      <div class="step-panel" data-testid="multi-panel">
        <h2>{node.name}</h2>
        <p>
          {node.instances} step logs (one per item of an enclosing map): <Counts counts={node.counts} />
        </p>
        <p class="muted">Open an item of the enclosing map to see one of them.</p>
      </div>
    );
  }
  const composite = node ? node.branches.length > 0 && node.type !== "dag" : false;
  return (
    <>
      {composite && stepKey && <ItemsList runId={runId} location={location} stepKey={stepKey} live={live} onOpen={open} />}
      {stepKey && <StepPanel runId={runId} location={location} stepKey={stepKey} live={live} />}
    </>
  );
}

function findNode(nodes: GraphNode[], key: string | undefined): GraphNode | undefined {
  if (!key) return undefined;
  for (const node of nodes) {
    if (node.key === key) return node;
    for (const branch of node.branches) {
      const found = findNode(branch.nodes, key);
      if (found) return found;
    }
  }
  return undefined;
}

/** One run: its pipeline graph with statuses, a step's details, metrics and parameters; live while running. */
export function RunPage({ runId, params }: { runId: string; params: URLSearchParams }) {
  const all = paramsOf({ path: [], params });
  const tab = (TABS as readonly string[]).includes(all.tab ?? "") ? all.tab! : "graph";
  const branch = parseLocation(all.branch ?? null);
  const [multi, setMulti] = useState<GraphNode | undefined>(undefined);
  const isLive = (v: RunView) => (v.run.status === "PROCESSING" && !v.run.stale) || v.run.status === "TRIGGERED";
  const loaded = useLoad<RunView>(`${runId}\u0000${all.branch ?? ""}`, () => getJson(runPath(runId), { branch: all.branch }), 1000, isLive);
  const view = loaded.data;
  const live = view ? isLive(view) : false;
  const metrics = useLoad<{ series: MetricSeries[] }>(
    `${runId}\u0000metrics\u0000${tab}`,
    () => (tab === "metrics" ? getJson(runPath(runId, "metrics")) : Promise.resolve({ series: [] })),
    live ? 1500 : undefined,
  );
  if (loaded.error && !view)
    return (
      <p class="error" data-testid="error">
        {loaded.error}
      </p>
    );
  // The sweeps tab loads its own data: it does not wait for the run's graph.
  if (!view && tab !== "sweeps") return <p class="muted">loading…</p>;
  const select = (node: GraphNode) => {
    if (node.key && node.location) {
      setMulti(undefined);
      navigate(["run", runId], { ...all, step: node.key, loc: JSON.stringify(node.location) }, true);
    } else {
      setMulti(node);
      navigate(["run", runId], { ...all, step: undefined, loc: undefined }, true);
    }
  };
  const selectedNode = multi ?? (view ? findNode(view.graph.nodes, all.step) : undefined);
  return (
    <section data-testid="run-page" data-status={view?.run.status}>
      {view ? <Header view={view} /> : <h1>{runId}</h1>}
      <nav class="tabs">
        {TABS.map((t) => (
          <a key={t} class={t === tab ? "active" : ""} href={href(["run", runId], { ...all, tab: t })} data-testid={`tab-${t}`}>
            {t}
          </a>
        ))}
      </nav>
      {tab === "sweeps" && <SweepsTab runId={runId} params={all} live={live} />}
      {view && tab === "graph" && (
        <>
          <Breadcrumbs runId={runId} branch={branch} params={all} />
          <div class="run-body">
            <PipelineGraph graph={view.graph} selected={undefined} onSelect={select} />
            <aside class="side">
              <Side runId={runId} node={selectedNode} live={live} params={all} />
            </aside>
          </div>
        </>
      )}
      {tab === "metrics" && (metrics.data ? <MetricsView series={metrics.data.series} /> : <p class="muted">loading…</p>)}
      {view && tab === "parameters" && (
        <table data-testid="run-parameters">
          <tbody>
            {Object.entries(view.run.parameters).map(([key, value]) => (
              <tr key={key}>
                <th>{key}</th>
                <td class="value">
                  {cellText(value, 2000)}
                  {view.run.parameter_kinds?.[key] && <span class="muted"> ({view.run.parameter_kinds[key]})</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
