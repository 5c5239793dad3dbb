import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { PALETTE } from "../format.js";

/** One line of a chart: (x, y) points, x ascending. */
export interface ChartSeries {
  label: string;
  points: Array<[number, number]>;
  color?: string;
  /** Drawn as a band (min/max of aggregated items) instead of a line. */
  dash?: number[];
  /** Drawn thicker (the best or worst item of a sweep). */
  width?: number;
}

/** Tick steps of a step axis: whole numbers only (a tracking step is never fractional). */
const WHOLE_INCREMENTS = Array.from({ length: 13 }, (_, e) => [1, 2, 2.5, 5].map((m) => m * 10 ** e))
  .flat()
  .filter(Number.isInteger);

/** Whole-number ticks between `min` and `max`, about one per 70 pixels of `width`. */
export function wholeTicks(min: number, max: number, width: number): number[] {
  const room = Math.max(2, Math.floor(width / 70));
  const increment = WHOLE_INCREMENTS.find((incr) => (max - min) / incr <= room) ?? WHOLE_INCREMENTS.at(-1)!;
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / increment) * increment; tick <= max; tick += increment) ticks.push(tick);
  return ticks;
}

interface Props {
  title: string;
  series: ChartSeries[];
  xLabel?: string;
  height?: number;
  testid?: string;
  /** Called with the label of the line nearest the cursor (null when none): for a legend of its own. */
  onFocus?: (label: string | null) => void;
}

/** The series on one shared, ascending x axis (what uPlot draws), gaps as null. */
export function alignSeries(series: ChartSeries[]): uPlot.AlignedData {
  if (series.length === 1) {
    const points = series[0]!.points;
    return [points.map((p) => p[0]), points.map((p) => p[1])];
  }
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const column: Array<number | null> = new Array(xs.length).fill(null);
    for (const [x, y] of s.points) column[at.get(x)!] = y;
    return column;
  });
  return [xs, ...ys];
}

/** A uPlot line chart: several series on one step axis, values shown in the legend on hover. */
export function Chart({ title, series, xLabel = "step", height = 260, testid = "chart", onFocus }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const started = performance.now();
    const data = alignSeries(series);
    const few = (data[0]?.length ?? 0) <= 60;
    const many = series.length > 12;
    const options: uPlot.Options = {
      title,
      width: Math.max(320, element.clientWidth || 640),
      height,
      // One x value (a metric recorded at a single step) still gets an axis around it.
      scales: { x: { time: false, range: (_u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]) } },
      axes: [
        {
          label: xLabel,
          splits: (u: uPlot, _axis: number, min: number, max: number) => {
            const ticks = wholeTicks(min, max, u.bbox.width / devicePixelRatio);
            element.dataset.xTicks = ticks.join(",");
            return ticks;
          },
        },
        {},
      ],
      legend: { show: !many, live: true },
      // With many lines the one nearest the cursor is brought forward and named (onFocus).
      focus: { alpha: many ? 0.25 : 1 },
      cursor: { points: { size: 7 }, focus: { prox: many ? 16 : -1 } },
      series: [
        { label: xLabel },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? PALETTE[i % PALETTE.length],
          width: s.width ?? 1.6,
          spanGaps: true,
          points: { show: few, size: 6 },
          ...(s.dash ? { dash: s.dash } : {}),
        })),
      ],
      hooks: {
        setSeries: [(_u: uPlot, index: number | null) => onFocus?.(index === null ? null : (series[index - 1]?.label ?? null))],
        draw: [
          (u: uPlot) => {
            if (!element.dataset.drawMs) element.dataset.drawMs = (performance.now() - started).toFixed(1);
            u.root.dataset.drawn = "1";
          },
        ],
      },
    };
    delete element.dataset.drawMs;
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, title, height, xLabel, onFocus]);
  const total = series.reduce((n, s) => n + s.points.length, 0);
  return <div ref={box} class="chart" data-testid={testid} data-title={title} data-series={series.length} data-points={total} />;
}

/** The points of a chart as a small table (first rows), for reading exact values. */
export function ChartTable({ series, limit = 200 }: { series: ChartSeries[]; limit?: number }) {
  const rows = series.flatMap((s) => s.points.map(([x, y]) => [s.label, x, y] as const)).slice(0, limit);
  return (
    <details class="chart-data">
      <summary>values</summary>
      <table data-testid="chart-values">
        <thead>
          <tr>
            <th>series</th>
            <th>step</th>
            <th>value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, x, y], i) => (
            <tr key={i}>
              <td>{label}</td>
              <td class="num">{x}</td>
              <td class="num">{y}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
