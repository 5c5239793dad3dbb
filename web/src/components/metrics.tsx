import { useMemo, useState } from "preact/hooks";
import type { MetricSeries } from "../api.js";
import { cellText, num } from "../format.js";
import { Chart, type ChartSeries, ChartTable } from "./chart.js";

type ItemMode = "each" | "aggregate";

/** Mean, min and max per step over the series of many map items. */
function aggregate(label: string, group: MetricSeries[]): ChartSeries[] {
  const byStep = new Map<number, number[]>();
  for (const series of group) for (const p of series.points) byStep.set(p.step, [...(byStep.get(p.step) ?? []), p.value as number]);
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  const pick = (f: (values: number[]) => number): Array<[number, number]> => steps.map((s) => [s, f(byStep.get(s)!)]);
  return [
    { label: `${label} mean of ${num(group.length)} items`, points: pick((v) => v.reduce((a, b) => a + b, 0) / v.length) },
    { label: `${label} min`, points: pick((v) => Math.min(...v)), dash: [4, 4] },
    { label: `${label} max`, points: pick((v) => Math.max(...v)), dash: [4, 4] },
  ];
}

/** Chart lines for the chosen keys: one per step (or per map item), or items aggregated per pipeline step. */
export function chartSeries(all: MetricSeries[], keys: string[], mode: ItemMode): ChartSeries[] {
  const lines: ChartSeries[] = [];
  for (const key of keys) {
    const groups = new Map<string, MetricSeries[]>();
    for (const s of all) if (s.key === key && s.numeric) groups.set(s.template, [...(groups.get(s.template) ?? []), s]);
    const steps = groups.size;
    for (const [template, group] of groups) {
      const label = steps > 1 ? `${key} · ${template}` : key;
      if (mode === "aggregate" && group.length > 1) lines.push(...aggregate(label, group));
      else {
        for (const s of group) {
          const by = s.x === "iteration" ? " by iteration" : "";
          lines.push({ label: `${s.item ? `${label} [${s.item}]` : label}${by}`, points: s.points.map((p) => [p.step, p.value as number]) });
        }
      }
    }
  }
  return lines;
}

/** Every metric of a run: numeric ones charted by tracking step, the others as a table by step. */
export function MetricsView({ series }: { series: MetricSeries[] }) {
  const numericKeys = useMemo(() => [...new Set(series.filter((s) => s.numeric).map((s) => s.key))], [series]);
  const [chosen, setChosen] = useState<string[] | undefined>(undefined);
  const keys = chosen ?? numericKeys.slice(0, 4);
  const manyItems = series.filter((s) => s.item !== null).length > 20;
  const [mode, setMode] = useState<ItemMode | undefined>(undefined);
  const itemMode: ItemMode = mode ?? (manyItems ? "aggregate" : "each");
  const lines = useMemo(() => chartSeries(series, keys, itemMode), [series, keys.join("\u0000"), itemMode]);
  const other = series.filter((s) => !s.numeric);
  const toggle = (key: string) => setChosen(keys.includes(key) ? keys.filter((k) => k !== key) : [...keys, key]);
  if (series.length === 0) return <p class="muted">This run recorded no metrics.</p>;
  return (
    <div class="metrics" data-testid="metrics">
      {numericKeys.length > 0 && (
        <div class="toolbar">
          <span>keys:</span>
          {numericKeys.map((key) => (
            <label key={key}>
              <input type="checkbox" data-testid={`metric-key-${key}`} checked={keys.includes(key)} onChange={() => toggle(key)} /> {key}
            </label>
          ))}
          {series.some((s) => s.item !== null) && (
            <label>
              map items{" "}
              <select data-testid="item-mode" value={itemMode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as ItemMode)}>
                <option value="each">one line each</option>
                <option value="aggregate">aggregated (mean, min, max)</option>
              </select>
            </label>
          )}
        </div>
      )}
      {lines.length > 0 && (
        <>
          <Chart title={keys.join(", ")} series={lines} />
          <ChartTable series={lines} />
        </>
      )}
      {other.length > 0 && (
        <>
          <h3>Other metrics</h3>
          <table data-testid="metrics-table">
            <thead>
              <tr>
                <th>step</th>
                <th>key</th>
                <th>at</th>
                <th>value</th>
              </tr>
            </thead>
            <tbody>
              {other.slice(0, 2000).flatMap((s) =>
                s.points.map((p) => (
                  <tr key={`${s.step}\u0000${s.key}\u0000${p.step}`}>
                    <td>{s.step}</td>
                    <td>{s.key}</td>
                    <td class="num">{p.step}</td>
                    <td>{cellText(p.value, 120)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
