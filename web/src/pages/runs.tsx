import { useEffect, useState } from "preact/hooks";
import { type RunDigest, type RunPage, getJson } from "../api.js";
import { StatusBadge } from "../components/status.js";
import { cellText, formatMs, formatTime, num } from "../format.js";
import { useDebounced, useLoad } from "../hooks.js";
import { href, navigate } from "../router.js";

const PAGE = 100;
const FILTERS = ["status", "tag", "pipeline", "q"] as const;

function Select(props: { label: string; value: string; options: Record<string, number>; onChange: (v: string) => void; testid: string }) {
  return (
    <label>
      {props.label}{" "}
      <select data-testid={props.testid} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        <option value="">all</option>
        {Object.entries(props.options).map(([value, n]) => (
          <option key={value} value={value}>
            {value || "(no tag)"} ({num(n)})
          </option>
        ))}
      </select>
    </label>
  );
}

function Row({ run, params, metrics, selected, toggle }: { run: RunDigest; params: string[]; metrics: string[]; selected: boolean; toggle: () => void }) {
  const duration = run.start_ms !== null && run.end_ms !== null ? run.end_ms - run.start_ms : null;
  return (
    <tr data-testid="run-row" data-run-id={run.run_id} class={run.complete ? "" : "pending"}>
      <td>
        <input type="checkbox" checked={selected} onChange={toggle} aria-label={`select ${run.run_id}`} />
      </td>
      <td>
        <a href={href(["run", run.run_id])}>{run.run_id}</a>
      </td>
      <td>
        <StatusBadge status={run.status} stale={run.stale} />
      </td>
      <td>{run.tag}</td>
      <td class="path">{run.pipeline_file ?? "(SDK)"}</td>
      <td class="nowrap">{formatTime(run.start_ms ?? run.updated_ms)}</td>
      <td class="num">{formatMs(duration)}</td>
      {params.map((key) => (
        <td key={`p-${key}`} class="num" data-col={`param:${key}`}>
          {cellText(run.parameters[key], 24)}
        </td>
      ))}
      {metrics.map((key) => (
        <td key={`m-${key}`} class="num" data-col={`metric:${key}`}>
          {cellText(run.metrics[key], 24)}
        </td>
      ))}
    </tr>
  );
}

type Filters = Record<(typeof FILTERS)[number], string>;

function Toolbar(props: {
  filters: Filters;
  data: RunPage | undefined;
  text: string;
  setText: (t: string) => void;
  set: (c: Partial<Record<string, string>>) => void;
  selected: string[];
}) {
  const { filters, data, set } = props;
  return (
    <div class="toolbar">
      <h1>Runs</h1>
      <Select testid="filter-status" label="status" value={filters.status} options={data?.facets.status ?? {}} onChange={(status) => set({ status })} />
      <Select testid="filter-tag" label="tag" value={filters.tag} options={data?.facets.tag ?? {}} onChange={(tag) => set({ tag })} />
      <Select
        testid="filter-pipeline"
        label="pipeline"
        value={filters.pipeline}
        options={data?.facets.pipeline ?? {}}
        onChange={(pipeline) => set({ pipeline })}
      />
      <input
        data-testid="filter-text"
        type="search"
        placeholder="search runs, parameters, metrics…"
        value={props.text}
        onInput={(e) => props.setText((e.target as HTMLInputElement).value)}
      />
      <button
        type="button"
        data-testid="compare-selected"
        disabled={props.selected.length < 2}
        onClick={() => navigate(["compare"], { runs: props.selected.join(",") })}
      >
        Compare {props.selected.length >= 2 ? props.selected.length : ""} runs
      </button>
    </div>
  );
}

function Summary({ data, offset }: { data: RunPage; offset: number }) {
  return (
    <p class="muted" data-testid="runs-count">
      {data.matched === 0 ? "no runs" : `${num(offset + 1)}–${num(Math.min(offset + PAGE, data.matched))} of ${num(data.matched)} runs`}
      {data.matched !== data.total ? ` (filtered from ${num(data.total)})` : ""}
      {data.pending > 0 ? ` · reading ${num(data.pending)} runs…` : ""}
    </p>
  );
}

function RunsTable(props: { data: RunPage | undefined; selected: string[]; toggle: (id: string) => void }) {
  const data = props.data;
  const paramKeys = (data?.parameter_keys ?? [])
    .filter((k) => k.varies)
    .slice(0, 4)
    .map((k) => k.key);
  const metricKeys = (data?.metric_keys ?? []).slice(0, 4).map((k) => k.key);
  return (
    <div class="table-wrap">
      <table class="runs" data-testid="runs-table">
        <thead>
          <tr>
            {["", "run", "status", "tag", "pipeline", "started", "duration"].map((title, i) => (
              <th key={i}>{title}</th>
            ))}
            {paramKeys.map((k) => (
              <th key={`p-${k}`} class="param" title="parameter">
                {k}
              </th>
            ))}
            {metricKeys.map((k) => (
              <th key={`m-${k}`} class="metric" title="last metric value">
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data?.runs.map((run) => (
            <Row
              key={run.run_id}
              run={run}
              params={paramKeys}
              metrics={metricKeys}
              selected={props.selected.includes(run.run_id)}
              toggle={() => props.toggle(run.run_id)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The runs list: newest first, filtered by status, tag, pipeline and text, paged on the server. */
export function RunsPage({ params }: { params: URLSearchParams }) {
  const filters = Object.fromEntries(FILTERS.map((key) => [key, params.get(key) ?? ""])) as Filters;
  const offset = Number(params.get("offset") ?? 0) || 0;
  const [text, setText] = useState(filters.q);
  const q = useDebounced(text, 250);
  const [selected, setSelected] = useState<string[]>([]);
  const set = (changes: Partial<Record<string, string>>) => navigate(["runs"], { ...filters, q, ...changes, offset: changes.offset }, true);
  useEffect(() => {
    if (q !== filters.q) set({ q, offset: undefined });
  }, [q]);
  const page = useLoad<RunPage>(
    JSON.stringify({ ...filters, offset }),
    () => getJson("runs", { ...filters, offset, limit: PAGE }),
    1500,
    () => true,
  );
  const data = page.data;
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  return (
    <section>
      <Toolbar filters={filters} data={data} text={text} setText={setText} set={set} selected={selected} />
      {page.error && <p class="error">{page.error}</p>}
      {data && <Summary data={data} offset={offset} />}
      <RunsTable data={data} selected={selected} toggle={toggle} />
      {data && data.matched > PAGE && (
        <div class="pager">
          <button type="button" disabled={offset === 0} onClick={() => set({ offset: String(Math.max(0, offset - PAGE)) })}>
            ‹ newer
          </button>
          <button type="button" data-testid="next-page" disabled={offset + PAGE >= data.matched} onClick={() => set({ offset: String(offset + PAGE) })}>
            older ›
          </button>
        </div>
      )}
    </section>
  );
}
