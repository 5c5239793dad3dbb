import { useCallback, useState } from "preact/hooks";
import { type Comparison, getJson } from "../api.js";
import { Chart, type ChartSeries } from "../components/chart.js";
import { StatusBadge } from "../components/status.js";
import { PALETTE, cellText, formatMs, fullText } from "../format.js";
import { useLoad } from "../hooks.js";
import { href } from "../router.js";

function ValueRows({ rows, testid, round = false }: { rows: Comparison["parameters"]; testid: string; round?: boolean }) {
  return (
    <>
      {rows.map((row) => (
        <tr key={row.key} class={row.differs ? "differs" : ""} data-testid={testid} data-key={row.key} data-differs={String(row.differs)}>
          <th>{row.key}</th>
          {row.values.map((v, i) => {
            const how = row.how?.[i];
            return (
              <td key={i} class="value" title={`${fullText(v)}${how ? ` (${how})` : ""}`} data-how={how ?? undefined}>
                {row.present[i] ? cellText(v, 60, round) : "–"}
                {how ? <span class="how"> ({how})</span> : null}
              </td>
            );
          })}
        </tr>
      ))}
    </>
  );
}

/** A sweep's items across the runs, matched by iterate value: one row per item, the chosen metric's final value per run. */
function ItemsTable({ sweep, runs }: { sweep: Comparison["items"][number]; runs: string[] }) {
  const [metric, setMetric] = useState(sweep.metrics[0] ?? "");
  return (
    <div class="compare-items" data-testid="compare-items" data-step={sweep.step}>
      <h3>
        items of {sweep.step}, matched by {sweep.names.join(", ")}{" "}
        {sweep.metrics.length > 0 && (
          <select data-testid="compare-item-metric" value={metric} onChange={(e) => setMetric((e.target as HTMLSelectElement).value)}>
            {sweep.metrics.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        )}
      </h3>
      <table class="compare">
        <thead>
          <tr>
            <th>item</th>
            {runs.map((id) => (
              <th key={id}>{id}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sweep.rows.slice(0, 500).map((row) => (
            <tr key={row.label} data-testid="compare-item-row" data-item={row.label}>
              <th>{row.label}</th>
              {row.runs.map((run, i) => (
                <td key={i} class="num" title={run ? fullText(run.final[metric]) : "not in this run"}>
                  {run ? cellText(run.final[metric], 16, true) : "–"}
                  {run && run.status !== "SUCCESS" ? (
                    <>
                      {" "}
                      <StatusBadge status={run.status} />
                    </>
                  ) : null}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Line styles telling runs apart (the colour tells items or steps apart, so one item of two runs shares a colour). */
const RUN_DASH: Array<number[] | undefined> = [undefined, [6, 4], [2, 3], [10, 3, 2, 3]];

/** Charts of numeric keys recorded at more than one step: a line per run and step, and per map item (labelled, never averaged). */
function metricCharts(comparison: Comparison) {
  const runs = comparison.runs.map((r) => r.run_id);
  return comparison.metrics
    .filter((m) => m.numeric && m.series.some((s) => s.points.length > 1 || (s.points[0] && s.points[0][0] !== 0)))
    .map((m) => {
      const templates = new Set(m.series.map((s) => s.template)).size;
      const lineKeys = [...new Set(m.series.map((s) => `${s.template}\u0000${s.item ?? ""}`))];
      const series: ChartSeries[] = m.series.map((s) => {
        const dash = RUN_DASH[runs.indexOf(s.run_id) % RUN_DASH.length];
        return {
          label: [s.run_id, templates > 1 ? s.template : "", s.item ?? ""].filter(Boolean).join(" · "),
          color: PALETTE[lineKeys.indexOf(`${s.template}\u0000${s.item ?? ""}`) % PALETTE.length]!,
          points: s.points.filter((p): p is [number, number] => typeof p[1] === "number"),
          ...(dash ? { dash } : {}),
        };
      });
      return { key: m.key, series };
    });
}

function CompareChart({ title, series }: { title: string; series: ChartSeries[] }) {
  const [focused, setFocused] = useState<string | null>(null);
  const onFocus = useCallback((label: string | null) => setFocused(label), []);
  const many = series.length > 12;
  return (
    <div>
      <Chart title={title} series={series} testid="compare-chart" onFocus={many ? onFocus : undefined} />
      {many && (
        <p class="legend muted">
          {focused ? `line under the cursor: ${focused}` : `${series.length} lines (colour: item or step; line style: run): point at a line to name it`}
        </p>
      )}
    </div>
  );
}

/** Two or more runs side by side: parameters (differences marked), final metrics (how each was obtained), items by iterate value, metric lines, step durations. */
export function ComparePage({ params }: { params: URLSearchParams }) {
  const runs = params.get("runs") ?? "";
  const loaded = useLoad<Comparison>(runs, () => getJson("compare", { runs }));
  const data = loaded.data;
  if (loaded.error)
    return (
      <p class="error" data-testid="error">
        {loaded.error}
      </p>
    );
  if (!data) return <p class="muted">loading…</p>;
  const ids = data.runs.map((r) => r.run_id);
  return (
    <section data-testid="compare-page">
      <h1>Compare {ids.length} runs</h1>
      <p class="muted">This page's address is shareable: it names the runs compared.</p>
      <table class="compare" data-testid="compare-parameters">
        <thead>
          <tr>
            <th />
            {data.runs.map((r) => (
              <th key={r.run_id}>
                <a href={href(["run", r.run_id])}>{r.run_id}</a> <StatusBadge status={r.status} stale={r.stale} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr class="section">
            <th colSpan={ids.length + 1}>parameters</th>
          </tr>
          <ValueRows rows={data.parameters} testid="param-row" />
          <tr class="section">
            <th colSpan={ids.length + 1}>final metrics (a metric several items or steps recorded: the best of them, as noted)</th>
          </tr>
          <ValueRows rows={data.final_metrics} testid="metric-row" round />
          <tr class="section">
            <th colSpan={ids.length + 1}>step durations</th>
          </tr>
          {data.durations.map((row) => (
            <tr key={row.step} data-testid="duration-row">
              <th>{row.step}</th>
              {row.values.map((v, i) => (
                <td key={i} class="num">
                  {v === null ? "-" : formatMs(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {data.items.map((sweep) => (
        <ItemsTable key={sweep.step} sweep={sweep} runs={ids} />
      ))}
      <h2>Metrics</h2>
      {metricCharts(data).map((chart) => (
        <CompareChart key={chart.key} title={chart.key} series={chart.series} />
      ))}
    </section>
  );
}
