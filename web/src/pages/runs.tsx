import { useEffect, useState } from "preact/hooks";
import { type RunDigest, type RunPage, getJson } from "../api.js";
import { StatusBadge } from "../components/status.js";
import { cellText, formatMs, formatTime, fullText, num } from "../format.js";
import { useDebounced, useLoad } from "../hooks.js";
import { href, navigate } from "../router.js";

const PAGE = 100;
const FILTERS = ["status", "tag", "pipeline", "q", "filter", "sort"] as const;

function Select(props: { label: string; value: string; options: Record<string, number>; onChange: (v: string) => void; testid: string; empty: string }) {
  return (
    <label>
      {props.label}{" "}
      <select data-testid={props.testid} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        <option value="">all</option>
        {Object.entries(props.options).map(([value, n]) => (
          <option key={value} value={value}>
            {value || props.empty} ({num(n)})
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
      <td class="path">{run.pipeline_file || "(SDK)"}</td>
      <td class="nowrap">{formatTime(run.start_ms ?? run.updated_ms)}</td>
      <td class="num">{formatMs(duration)}</td>
      {params.map((key) => (
        <td key={`p-${key}`} class="num" data-col={`param:${key}`} title={fullText(run.parameters[key])}>
          {cellText(run.parameters[key], 24, true)}
        </td>
      ))}
      {metrics.map((key) => {
        const how = run.metric_how?.[key];
        return (
          <td key={`m-${key}`} class="num" data-col={`metric:${key}`} title={`${fullText(run.metrics[key])}${how ? ` (${how})` : ""}`} data-how={how}>
            {cellText(run.metrics[key], 24, true)}
            {how ? <sup class="how">*</sup> : null}
          </td>
        );
      })}
    </tr>
  );
}

type Filters = Record<(typeof FILTERS)[number], string>;

function Toolbar(props: {
  filters: Filters;
  data: RunPage | undefined;
  text: string;
  setText: (t: string) => void;
  expression: string;
  setExpression: (t: string) => void;
  set: (c: Partial<Record<string, string>>) => void;
  selected: string[];
}) {
  const { filters, data, set } = props;
  return (
    <div class="toolbar">
      <h1>Runs</h1>
      <Select
        testid="filter-status"
        label="status"
        value={filters.status}
        options={data?.facets.status ?? {}}
        onChange={(status) => set({ status })}
        empty="-"
      />
      <Select testid="filter-tag" label="tag" value={filters.tag} options={data?.facets.tag ?? {}} onChange={(tag) => set({ tag })} empty="(no tag)" />
      <Select
        testid="filter-pipeline"
        label="pipeline"
        value={filters.pipeline}
        options={data?.facets.pipeline ?? {}}
        onChange={(pipeline) => set({ pipeline })}
        empty="(SDK)"
      />
      <input
        data-testid="filter-text"
        type="search"
        placeholder="search runs, parameters, metrics…"
        value={props.text}
        onInput={(e) => props.setText((e.target as HTMLInputElement).value)}
      />
      <input
        data-testid="filter-expression"
        type="search"
        class="expression"
        placeholder="filter: loss<0.2 and params.lr>=0.01"
        title="Comparisons on final metrics and parameters joined with and (< <= > >= = !=); metrics.x / params.x when a metric and a parameter share a name"
        value={props.expression}
        onInput={(e) => props.setExpression((e.target as HTMLInputElement).value)}
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

function Summary({ data, offset, sort }: { data: RunPage; offset: number; sort: string }) {
  return (
    <p class="muted" data-testid="runs-count">
      {data.matched === 0 ? "no runs" : `${num(offset + 1)}–${num(Math.min(offset + PAGE, data.matched))} of ${num(data.matched)} runs`}
      {data.matched !== data.total ? ` (filtered from ${num(data.total)})` : ""}
      {sort ? `, sorted by ${sort}` : ", newest first"}
      {data.pending > 0 ? ` · reading ${num(data.pending)} runs…` : ""}
      {data.listed_ms ? <span data-testid="listed-at"> · as of {formatTime(data.listed_ms).slice(11)}</span> : null}
    </p>
  );
}

/** A sortable column head: `param lr` / `metric lr` (a parameter and a metric may share a name), click to sort. */
function ColumnHead(props: { kind: "param" | "metric"; name: string; sort: string; setSort: (sort: string) => void; how: boolean }) {
  const key = `${props.kind === "param" ? "params" : "metrics"}.${props.name}`;
  const current = props.sort.replace(/:(asc|desc)$/, "");
  const direction = /:(asc|desc)$/.exec(props.sort)?.[1];
  const active = current === key || (props.kind === "metric" && current === props.name);
  const next = active ? (direction === "desc" ? `${key}:asc` : `${key}:desc`) : key;
  const title =
    props.kind === "param" ? "parameter (click to sort)" : `final metric${props.how ? "; * marks a value over several items" : ""} (click to sort, best first)`;
  return (
    <th class={`${props.kind} sortable`} title={title} data-testid="column-head" data-col={`${props.kind}:${props.name}`} onClick={() => props.setSort(next)}>
      <span class="kind">{props.kind}</span> {props.name}
      {active ? (direction === "desc" ? " ↓" : direction === "asc" ? " ↑" : " •") : ""}
    </th>
  );
}

function RunsTable(props: { data: RunPage | undefined; selected: string[]; toggle: (id: string) => void; sort: string; setSort: (sort: string) => void }) {
  const data = props.data;
  const paramKeys = (data?.parameter_keys ?? [])
    .filter((k) => k.varies)
    .slice(0, 4)
    .map((k) => k.key);
  const metricKeys = (data?.metric_keys ?? []).slice(0, 6).map((k) => k.key);
  const how = data?.runs.some((run) => Object.keys(run.metric_how ?? {}).length > 0) ?? false;
  return (
    <div class="table-wrap">
      <table class="runs" data-testid="runs-table">
        <thead>
          <tr>
            {["", "run", "status", "tag", "pipeline", "started", "duration"].map((title, i) => (
              <th key={i}>{title}</th>
            ))}
            {paramKeys.map((k) => (
              <ColumnHead key={`p-${k}`} kind="param" name={k} sort={props.sort} setSort={props.setSort} how={how} />
            ))}
            {metricKeys.map((k) => (
              <ColumnHead key={`m-${k}`} kind="metric" name={k} sort={props.sort} setSort={props.setSort} how={how} />
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

/** The runs list: newest first (or sorted by a metric), filtered by status, tag, pipeline, text and metric comparisons, paged on the server. */
export function RunsPage({ params }: { params: URLSearchParams }) {
  const filters = Object.fromEntries(FILTERS.map((key) => [key, params.get(key) ?? ""])) as Filters;
  const offset = Number(params.get("offset") ?? 0) || 0;
  const [text, setText] = useState(filters.q);
  const [expression, setExpression] = useState(filters.filter);
  const q = useDebounced(text, 250);
  const filter = useDebounced(expression, 400);
  const [selected, setSelected] = useState<string[]>([]);
  const set = (changes: Partial<Record<string, string>>) => navigate(["runs"], { ...filters, q, filter, ...changes, offset: changes.offset }, true);
  useEffect(() => {
    if (q !== filters.q) set({ q, offset: undefined });
  }, [q]);
  useEffect(() => {
    if (filter !== filters.filter) set({ filter, offset: undefined });
  }, [filter]);
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
      <Toolbar
        filters={filters}
        data={data}
        text={text}
        setText={setText}
        expression={expression}
        setExpression={setExpression}
        set={set}
        selected={selected}
      />
      {page.error && (
        <p class="error" data-testid="runs-error">
          {page.error}
        </p>
      )}
      {data && <Summary data={data} offset={offset} sort={filters.sort} />}
      <RunsTable data={data} selected={selected} toggle={toggle} sort={filters.sort} setSort={(sort) => set({ sort, offset: undefined })} />
      {data && data.matched > PAGE && (
        <div class="pager">
          <button type="button" disabled={offset === 0} onClick={() => set({ offset: String(Math.max(0, offset - PAGE)) })}>
            ‹ {filters.sort ? "previous" : "newer"}
          </button>
          <button type="button" data-testid="next-page" disabled={offset + PAGE >= data.matched} onClick={() => set({ offset: String(offset + PAGE) })}>
            {filters.sort ? "next" : "older"} ›
          </button>
        </div>
      )}
    </section>
  );
}
