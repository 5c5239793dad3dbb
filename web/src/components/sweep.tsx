import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ItemLine, SweepRow, SweepTable } from "../../../src/ui/sweep-api.js";
import { getJson, runPath } from "../api.js";
import { PALETTE, cellText, formatMs, fullText, num } from "../format.js";
import { useLoad } from "../hooks.js";
import { Chart, type ChartSeries } from "./chart.js";
import { StatusBadge } from "./status.js";

// A run's sweeps (each map or parallel step): one table row per item — its iterate values, status,
// duration and final metrics, sortable, the best and worst item of each metric marked — and one chart
// per metric with a labelled line per item, the best and worst drawn thick.

/** Rows drawn at first (a "show all" button draws the rest). */
const FIRST_ROWS = 200;
/** Charts shown at first (checkboxes choose others). */
const FIRST_CHARTS = 3;
const BEST = "#2e9e44";
const WORST = "#d64545";

/** The sort of a sweep table: a column and its direction. */
export interface SweepSort {
  column: string;
  descending: boolean;
}

function sortRows(rows: SweepRow[], sweep: SweepTable, sort: SweepSort | undefined): SweepRow[] {
  if (!sort) return rows;
  const cellOf = (row: SweepRow): unknown => {
    if (sort.column === "status") return row.status;
    if (sort.column === "duration") return row.duration_ms;
    const at = sweep.names.indexOf(sort.column);
    return at >= 0 ? row.values[at]?.value : row.final[sort.column];
  };
  const rank = (v: unknown) => (typeof v === "number" ? 0 : typeof v === "string" ? 1 : 2);
  return rows
    .map((row, index) => ({ row, index, value: cellOf(row) }))
    .sort((a, b) => {
      const kinds = rank(a.value) - rank(b.value);
      if (kinds !== 0 || rank(a.value) === 2) return kinds || a.index - b.index;
      const order = (a.value as number | string) < (b.value as number | string) ? -1 : (a.value as number | string) > (b.value as number | string) ? 1 : 0;
      return (sort.descending ? -order : order) || a.index - b.index;
    })
    .map((entry) => entry.row);
}

function Header({ sweep, sort, setSort }: { sweep: SweepTable; sort: SweepSort | undefined; setSort: (sort: SweepSort) => void }) {
  const head = (column: string, label: string, title: string, descendingFirst = false) => {
    const active = sort?.column === column;
    const arrow = active ? (sort!.descending ? " ↓" : " ↑") : "";
    const next = { column, descending: active ? !sort!.descending : descendingFirst };
    return (
      <th key={column} title={title} class="sortable" data-testid="sweep-sort" data-column={column} onClick={() => setSort(next)}>
        {label}
        {arrow}
      </th>
    );
  };
  return (
    <thead>
      <tr>
        {sweep.names.map((name, i) => head(name, sweep.kind === "parallel" && i === sweep.names.length - 1 ? "branch" : name, "iterate value (click to sort)"))}
        {head("status", "status", "item status")}
        {head("duration", "duration", "first start to last end")}
        {sweep.metrics.map((m) => head(m.name, `${m.name} (${m.goal})`, `final value; ${m.goal === "min" ? "lower" : "higher"} is better`, m.goal === "max"))}
      </tr>
    </thead>
  );
}

function Row({ row, sweep, runId }: { row: SweepRow; sweep: SweepTable; runId: string }) {
  return (
    <tr data-testid="sweep-row" data-item={row.label}>
      {row.values.map((v, i) => (
        <td key={i} title={fullText(v.value)}>
          {i === row.values.length - 1 ? (
            <a href={`#/run/${encodeURIComponent(runId)}?branch=${encodeURIComponent(JSON.stringify(row.location))}`}>{cellText(v.value, 24, true)}</a>
          ) : (
            cellText(v.value, 24, true)
          )}
        </td>
      ))}
      <td>
        <StatusBadge status={row.status} />
      </td>
      <td class="num">{formatMs(row.duration_ms)}</td>
      {sweep.metrics.map((m) => {
        const mark = m.best === row.key ? "best" : m.worst === row.key ? "worst" : "";
        return (
          <td
            key={m.name}
            class={`num ${mark}`}
            title={`${fullText(row.final[m.name])}${mark ? ` (${mark})` : ""}`}
            data-col={m.name}
            data-mark={mark || undefined}
          >
            {cellText(row.final[m.name], 16, true)}
            {mark === "best" ? " ▲" : mark === "worst" ? " ▼" : ""}
          </td>
        );
      })}
    </tr>
  );
}

/** One metric's chart: a line per item (its label in the legend), best and worst drawn thick in green and red. */
function SweepChart({ runId, sweep, metric }: { runId: string; sweep: SweepTable; metric: SweepTable["metrics"][number] }) {
  const loaded = useLoad<{ steps: number[]; lines: ItemLine[] }>(`${runId}\u0000${sweep.step}\u0000${metric.name}`, () =>
    getJson(runPath(runId, "sweep-lines"), { step: sweep.step, metric: metric.name }),
  );
  const [focused, setFocused] = useState<string | null>(null);
  const onFocus = useCallback((label: string | null) => setFocused(label), []);
  const series = useMemo<ChartSeries[]>(() => {
    const lines = loaded.data?.lines ?? [];
    const byKey = new Map(sweep.items.map((item) => [item.key, item.label]));
    const best = metric.best ? byKey.get(metric.best) : undefined;
    const worst = metric.worst ? byKey.get(metric.worst) : undefined;
    // Best and worst last: drawn on top of the others.
    const ordered = [
      ...lines.filter((l) => l.label !== best && l.label !== worst),
      ...lines.filter((l) => l.label === worst),
      ...lines.filter((l) => l.label === best),
    ];
    return ordered.map((line, i) => {
      const mark = line.label === best ? "best" : line.label === worst ? "worst" : "";
      const steps = line.steps ?? loaded.data!.steps;
      const points = steps.flatMap((step, at): Array<[number, number]> => (line.values[at] === null ? [] : [[step, line.values[at]!]]));
      return {
        label: mark ? `${line.label} (${mark})` : line.label,
        points,
        color: mark === "best" ? BEST : mark === "worst" ? WORST : PALETTE[i % PALETTE.length]!,
        width: mark ? 3 : 1.2,
      };
    });
  }, [loaded.data, sweep, metric]);
  if (loaded.error) return <p class="error">{loaded.error}</p>;
  if (!loaded.data) return <p class="muted">loading {metric.name}…</p>;
  const best = series.find((s) => s.label.endsWith("(best)"));
  const worst = series.find((s) => s.label.endsWith("(worst)"));
  return (
    <div class="sweep-chart" data-testid="sweep-chart" data-metric={metric.name}>
      <Chart
        title={`${metric.name} by step, one line per item`}
        series={series}
        height={240}
        testid="sweep-chart-plot"
        onFocus={series.length > 12 ? onFocus : undefined}
      />
      {series.length > 12 && (
        <p class="legend" data-testid="sweep-legend">
          {best && <span class="best">▲ best: {best.label.replace(/ \(best\)$/, "")}</span>}
          {worst && <span class="worst">▼ worst: {worst.label.replace(/ \(worst\)$/, "")}</span>}
          <span data-testid="sweep-focused">{focused ? `line under the cursor: ${focused}` : `${num(series.length)} items: point at a line to name it`}</span>
        </p>
      )}
    </div>
  );
}

/** A chart loaded and drawn once it comes near the screen (a sweep of many metrics draws only what is looked at). */
function LazySweepChart(props: { runId: string; sweep: SweepTable; metric: SweepTable["metrics"][number] }) {
  const box = useRef<HTMLDivElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const element = box.current;
    if (!element || seen) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setSeen(true), { rootMargin: "200px" });
    observer.observe(element);
    return () => observer.disconnect();
  }, [seen]);
  if (seen) return <SweepChart {...props} />;
  return (
    <div ref={box} class="sweep-chart placeholder" data-testid="sweep-chart-waiting">
      <p class="muted">{props.metric.name}</p>
    </div>
  );
}

/** One sweep: its table and its charts. */
export function SweepSection(props: { runId: string; sweep: SweepTable; sort: SweepSort | undefined; setSort: (sort: SweepSort) => void }) {
  const { runId, sweep } = props;
  const [all, setAll] = useState(false);
  // Metrics with one value per item are in the table only: a chart by step needs several steps.
  const numeric = sweep.metrics.filter((m) => m.numeric && m.points > 1);
  const [charts, setCharts] = useState<string[]>(numeric.slice(0, FIRST_CHARTS).map((m) => m.name));
  const rows = useMemo(() => sortRows(sweep.items, sweep, props.sort), [sweep, props.sort?.column, props.sort?.descending]);
  const shown = all ? rows : rows.slice(0, FIRST_ROWS);
  const toggle = (name: string) => setCharts(charts.includes(name) ? charts.filter((c) => c !== name) : [...charts, name]);
  return (
    <div class="sweep" data-testid="sweep" data-step={sweep.step}>
      <h2>
        {sweep.kind} {sweep.step} <span class="muted">· {num(sweep.items.length)} items</span>
      </h2>
      <div class="table-wrap sweep-table-wrap">
        <table class="sweep-table" data-testid="sweep-table" data-rows={shown.length}>
          <Header sweep={sweep} sort={props.sort} setSort={props.setSort} />
          <tbody>
            {shown.map((row) => (
              <Row key={row.key} row={row} sweep={sweep} runId={runId} />
            ))}
          </tbody>
        </table>
      </div>
      {shown.length < rows.length && (
        <button type="button" data-testid="sweep-all" onClick={() => setAll(true)}>
          show all {num(rows.length)} items
        </button>
      )}
      {numeric.length > 0 && (
        <div class="toolbar">
          <span>charts:</span>
          {numeric.map((m) => (
            <label key={m.name}>
              <input type="checkbox" data-testid={`sweep-metric-${m.name}`} checked={charts.includes(m.name)} onChange={() => toggle(m.name)} /> {m.name}
            </label>
          ))}
        </div>
      )}
      <div class="sweep-charts">
        {numeric
          .filter((m) => charts.includes(m.name))
          .map((m) => (
            <LazySweepChart key={m.name} runId={runId} sweep={sweep} metric={m} />
          ))}
      </div>
    </div>
  );
}
