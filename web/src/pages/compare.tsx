import { type Comparison, getJson } from "../api.js";
import { Chart, type ChartSeries } from "../components/chart.js";
import { StatusBadge } from "../components/status.js";
import { PALETTE, cellText, formatMs } from "../format.js";
import { useLoad } from "../hooks.js";
import { href } from "../router.js";

function ValueRows({ rows, testid }: { rows: Comparison["parameters"]; testid: string }) {
  return (
    <>
      {rows.map((row) => (
        <tr key={row.key} class={row.differs ? "differs" : ""} data-testid={testid} data-key={row.key} data-differs={String(row.differs)}>
          <th>{row.key}</th>
          {row.values.map((v, i) => (
            <td key={i} class="value">
              {row.present[i] ? cellText(v, 60) : "–"}
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

/** Charts of numeric keys recorded at more than one step (single values are in the table). */
function metricCharts(comparison: Comparison) {
  return comparison.metrics
    .filter((m) => m.numeric && m.series.some((s) => s.points.length > 1 || (s.points[0] && s.points[0][0] !== 0)))
    .map((m) => {
      const runs = comparison.runs.map((r) => r.run_id);
      const series: ChartSeries[] = m.series.map((s) => ({
        label: `${s.run_id} · ${s.template}`,
        color: PALETTE[runs.indexOf(s.run_id) % PALETTE.length]!,
        points: s.points.filter((p): p is [number, number] => typeof p[1] === "number"),
      }));
      return { key: m.key, series };
    });
}

/** Two or more runs side by side: parameters (differences marked), metrics overlaid per key, step durations. */
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
            <th colSpan={ids.length + 1}>final metrics</th>
          </tr>
          <ValueRows rows={data.final_metrics} testid="metric-row" />
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
      <h2>Metrics</h2>
      {metricCharts(data).map((chart) => (
        <Chart key={chart.key} title={chart.key} series={chart.series} testid="compare-chart" />
      ))}
    </section>
  );
}
