import { RunnableError } from "../../core/errors.js";
import type { RunLog } from "../../core/run-log.js";
import { type Goals, goalOf } from "../../ui/metric-goals.js";
import { type Sweep, type SweepItem, runSweeps, sortItems } from "../../ui/sweep.js";
import { cellText } from "./runs-list.js";

// `runs show`'s sweep tables: one per map (or parallel) step, one row per item with its iterate value,
// status, duration and final metrics; `--sort METRIC` orders the rows best first, and the best and
// worst item of each metric are marked.

/** Options of the sweep tables. */
export interface SweepTableOptions {
  /** `loss`, `loss:asc`, `loss:desc`. */
  sort?: string;
  /** Rows shown per sweep (0: all). */
  rows: number;
  goals: Goals;
}

function table(rows: string[][], rightAligned: (column: number) => boolean): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((text, column) => (rightAligned(column) ? text.padStart(widths[column]!) : text.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd(),
  );
}

const sortName = (sort: string): string =>
  sort
    .replace(/:(asc|desc)\s*$/i, "")
    .trim()
    .replace(/^metrics?\./, "");

function ordered(sweep: Sweep, sort: string | undefined, goals: Goals): SweepItem[] {
  if (!sort) return sweep.items;
  const match = /^\s*(.+?)(?::(asc|desc))?\s*$/i.exec(sort)!;
  const name = sortName(sort);
  if (!sweep.metrics.some((m) => m.name === name)) return sweep.items;
  const direction = match[2]?.toLowerCase();
  const goal = direction ? (direction === "asc" ? "min" : "max") : goalOf(name, goals);
  return sortItems(sweep.items, name, goal);
}

const seconds = (ms: number | null): string => (ms === null ? "-" : `${(ms / 1000).toFixed(3)} s`);

/** The lines of one sweep's table. */
export function sweepLines(sweep: Sweep, options: SweepTableOptions): string[] {
  const metrics = sweep.metrics.slice(0, 8);
  const items = ordered(sweep, options.sort, options.goals);
  const shown = options.rows > 0 ? items.slice(0, options.rows) : items;
  const header = [...sweep.names.map((name, i) => (sweep.kind === "parallel" && i === sweep.names.length - 1 ? "branch" : name)), "status", "duration"];
  header.push(...metrics.map((m) => `${m.name} (${m.goal})`));
  const rows = [header];
  for (const item of shown) {
    const row = [...item.values.map((v) => cellText(v.value)), item.status, seconds(item.duration_ms)];
    for (const m of metrics) {
      const mark = m.best === item.key ? " ▲" : m.worst === item.key ? " ▼" : "  ";
      row.push(Object.hasOwn(item.final, m.name) ? `${cellText(item.final[m.name])}${mark}` : "-  ");
    }
    rows.push(row);
  }
  const fixed = sweep.names.length + 2;
  const lines = table(rows, (column) => column >= fixed - 1).map((line) => `  ${line}`);
  const title = `${sweep.kind === "map" ? "map" : "parallel"} ${sweep.step}: ${sweep.items.length} item${sweep.items.length === 1 ? "" : "s"}${options.sort ? `, sorted by ${options.sort}` : ""}`;
  const notes: string[] = [];
  if (shown.length < items.length) notes.push(`  … ${items.length - shown.length} more (--items 0 shows all)`);
  if (sweep.metrics.length > metrics.length) notes.push(`  (${sweep.metrics.length - metrics.length} more metrics: runs show --json has them)`);
  if (metrics.some((m) => m.best)) notes.push("  ▲ best, ▼ worst item of each metric (min: lower is better; --goal METRIC=min|max chooses)");
  return [title, ...lines, ...notes];
}

/** The "Sweeps" section of `runs show`, or "" when the run has no map or parallel step. */
export function renderSweeps(run: RunLog, options: SweepTableOptions): string {
  const sweeps = runSweeps(run, options.goals);
  if (sweeps.length === 0) {
    if (options.sort) throw new RunnableError("CLI_USAGE", `--sort ${options.sort}: run ${run.run_id} has no map or parallel step to sort the items of`);
    return "";
  }
  if (options.sort && !sweeps.some((sweep) => sweep.metrics.some((m) => m.name === sortName(options.sort!)))) {
    const known = [...new Set(sweeps.flatMap((sweep) => sweep.metrics.map((m) => m.name)))];
    throw new RunnableError("CLI_USAGE", `--sort ${options.sort}: no item of run ${run.run_id} records a metric "${sortName(options.sort)}"`, {
      hint: known.length ? `Its items record: ${known.slice(0, 10).join(", ")}.` : "Its items record no metrics.",
    });
  }
  const lines = ["Sweeps"];
  for (const sweep of sweeps) lines.push(...sweepLines(sweep, options).map((line) => `  ${line}`));
  return `${lines.join("\n")}\n`;
}
