import { openRunLogStore } from "../../runtime/open-store.js";
import { type ParameterRow, compareRuns } from "../../ui/compare.js";
import { digestFromSummary, digestRun } from "../../ui/run-digest.js";
import type { CliIo } from "../io.js";
import { printable } from "../printable.js";

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

/** `runnable runs compare A B [...]`: parameters side by side (`*` marks differences), final metrics, step durations. */
export async function runsCompareCommand(runIds: string[], options: { configFile?: string; json?: boolean }, io: CliIo): Promise<number> {
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
  const comparison = compareRuns(runs, digests);
  if (options.json) {
    const { runs: listed, parameters, final_metrics, durations } = comparison;
    io.out(`${JSON.stringify({ runs: listed, parameters, final_metrics, durations }, null, 2)}\n`);
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
  rows.push(...comparison.final_metrics.map(valueRow));
  rows.push(["step durations", ...runIds.map(() => "")]);
  for (const row of comparison.durations) rows.push([`  ${row.step}`, ...row.values.map((ms) => (ms === null ? "-" : `${(ms / 1000).toFixed(3)} s`))]);
  io.out(`${table(rows.map((row) => row.map((text) => printable(text, true))))}\n(* marks values that differ)\n`);
  return 0;
}
