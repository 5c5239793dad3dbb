import { type Comparison, getJson } from "../api.js";
import { Chart, type ChartSeries } from "../components/chart.js";
import { StatusBadge } from "../components/status.js";
import { PALETTE, cellText, formatMs } from "../format.js";
import { useLoad } from "../hooks.js";
import { href } from "../router.js";

function metricCharts(comparison: Comparison) {
  return comparison.metrics
    .filter((m) => m.numeric)
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
  if (loaded.error) return <p class="error" data-testid="error">{loaded.error}</p>;
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
          {data.parameters.map((row) => (
            <tr key={row.key} class={row.differs ? "differs" : ""} data-testid="param-row" data-key={row.key} data-differs={String(row.differs)}>
              <th>{row.key}</th>
              {row.values.map((v, i) => (
                <td key={i} class="value">{cellText(v, 60)}</td>
              ))}
            </tr>
          ))}
          <tr class="section">
            <th colSpan={ids.length + 1}>step durations</th>
          </tr>
          {data.durations.map((row) => (
            <tr key={row.step} data-testid="duration-row">
              <th>{row.step}</th>
              {row.values.map((v, i) => (
                <td key={i} class="num">{v === null ? "-" : formatMs(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Metrics</h2>
      {metricCharts(data).map((chart) => (
        <Chart key={chart.key} title={chart.key} series={chart.series} testid="compare-chart" />
      ))}
      {data.metrics.filter((m) => !m.numeric).length > 0 && (
        <table data-testid="compare-other-metrics">
          <tbody>
            {data.metrics
              .filter((m) => !m.numeric)
              .flatMap((m) =>
                m.series.map((s) => (
                  <tr key={`${m.key}\u0000${s.run_id}\u0000${s.template}`}>
                    <th>{m.key}</th>
                    <td>{s.run_id}</td>
                    <td>{s.template}</td>
                    <td class="value">{cellText(s.points.at(-1)?.[1], 80)}</td>
                  </tr>
                )),
              )}
          </tbody>
        </table>
      )}
    </section>
  );
}
