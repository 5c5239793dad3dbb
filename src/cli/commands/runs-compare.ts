import { openRunLogStore } from "../../runtime/open-store.js";
import { type ParameterRow, type SweepComparison, compareRuns } from "../../ui/compare.js";
import { parseGoals } from "../../ui/metric-goals.js";
import { digestFromSummary, digestRun } from "../../ui/run-digest.js";
import type { CliIo } from "../io.js";
import { printable } from "../printable.js";
import { cellText } from "./runs-list.js";

const cell = (value: unknown): string => {
  if (value === undefined) return "-";
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "null");
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
};

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((text, column) => text.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Rows of a sweep's items across runs: one per item and metric (`lr=0.01 loss`), the same item of each run side by side. */
function itemRows(sweep: SweepComparison, runCount: number): string[][] {
  const rows: string[][] = [[`items of ${sweep.step} (matched by ${sweep.names.join(", ")})`, ...Array.from({ length: runCount }, () => "")]];
  const metrics = sweep.metrics.slice(0, 6);
  for (const row of sweep.rows.slice(0, 50)) {
    rows.push([`  ${row.label}`, ...row.runs.map((run) => (run ? run.status : "-"))]);
    for (const metric of metrics)
      rows.push([`    ${metric}`, ...row.runs.map((run) => (run && Object.hasOwn(run.final, metric) ? cellText(run.final[metric]) : "-"))]);
  }
  if (sweep.rows.length > 50) rows.push([`  … ${sweep.rows.length - 50} more items (--json has them all)`, ...Array.from({ length: runCount }, () => "")]);
  return rows;
}

/** `runnable runs compare A B [...]`: parameters side by side (`*` marks differences), final metrics (how each was obtained), a map's items matched by iterate value, step durations. */
export async function runsCompareCommand(runIds: string[], options: { configFile?: string; json?: boolean; goal?: string[] }, io: CliIo): Promise<number> {
  const goals = parseGoals(options.goal);
  const store = await openRunLogStore({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  const runs = await Promise.all(runIds.map((id) => store.get(id)));
  const summaries = new Map((await store.list()).map((s) => [s.run_id, s]));
  const digests = runs.map((run) => {
    const summary = summaries.get(run.run_id) ?? {
      run_id: run.run_id,
      status: run.status,
      tag: run.tag,
      pipeline_file: run.run_config.pipeline_file,
      updated_ms: null,
    };
    return digestRun(run, { ...digestFromSummary(summary), stale: summary.stale === true });
  });
  const comparison = compareRuns(runs, digests, goals);
  if (options.json) {
    const { runs: listed, parameters, final_metrics, items, durations } = comparison;
    io.out(`${JSON.stringify({ runs: listed, parameters, final_metrics, items, durations }, null, 2)}\n`);
    return 0;
  }
  const rows: string[][] = [
    ["", ...runIds],
    ["  status", ...digests.map((d) => (d.stale ? "stale" : d.status))],
    ["  tag", ...digests.map((d) => d.tag || "-")],
  ];
  rows.push(["parameters", ...runIds.map(() => "")]);
  const valueRow = (row: ParameterRow): string[] => [`${row.differs ? "* " : "  "}${row.key}`, ...row.values.map((v, i) => (row.present[i] ? cell(v) : "-"))];
  rows.push(...comparison.parameters.map(valueRow));
  rows.push(["final metrics", ...runIds.map(() => "")]);
  const notes = new Map<string, string[]>();
  for (const row of comparison.final_metrics) {
    const cells = valueRow(row);
    row.how?.forEach((how, i) => {
      if (!how) return;
      cells[i + 1] += "*";
      const note = `${row.key}: ${how}`;
      notes.set(note, [...(notes.get(note) ?? []), runIds[i]!]);
    });
    rows.push(cells);
  }
  for (const sweep of comparison.items) rows.push(...itemRows(sweep, runIds.length));
  rows.push(["step durations", ...runIds.map(() => "")]);
  for (const row of comparison.durations) rows.push([`  ${row.step}`, ...row.values.map((ms) => (ms === null ? "-" : `${(ms / 1000).toFixed(3)} s`))]);
  const listed = [...notes].map(([note, ids]) => (ids.length === runIds.length ? note : `${note} (${ids.join(", ")})`));
  const how = listed.length
    ? `\n* final value taken over several step logs: ${listed.slice(0, 6).join("; ")}${listed.length > 6 ? "; …" : ""} (--goal METRIC=min|max chooses)`
    : "";
  io.out(`${table(rows.map((row) => row.map((text) => printable(text, true))))}\n(* before a name marks values that differ)${how}\n`);
  return 0;
}
