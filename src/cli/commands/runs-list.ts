import { RunnableError } from "../../core/errors.js";
import type { RunSummary } from "../../ports/run-log-store.js";
import { openRunLogStore } from "../../runtime/open-store.js";
import { parseGoals } from "../../ui/metric-goals.js";
import type { RunDigest } from "../../ui/run-digest.js";
import { lookup, parseFilter, parseSort } from "../../ui/run-filter.js";
import { selectRuns } from "../../ui/run-query.js";
import type { CliIo } from "../io.js";
import type { IndexNeeds } from "./runs-digest-index.js";
import { runDigests } from "./runs-digests.js";
import { printable } from "../printable.js";

/** A stored text as the terminal may show it (control characters escaped). */
const shown = (text: string | null | undefined): string => printable(text ?? "", true);

/** Options of `runnable runs list`. */
export interface RunsListOptions {
  configFile?: string;
  json?: boolean;
  status?: string;
  tag?: string;
  limit?: string;
  /** `loss` (best first), `loss:asc`, `params.lr:desc`. */
  sort?: string;
  /** `loss<0.2 and params.lr>=0.01` (see ui/run-filter.ts). */
  filter?: string;
  /** `loss=min`, repeatable. */
  goal?: string[];
}

const STATUSES = ["CREATED", "TRIGGERED", "PROCESSING", "SUCCESS", "FAIL", "STALE"];

/** The status shown for a run: PROCESSING runs whose orchestrator is gone are `STALE`. */
export const shownStatus = (run: Pick<RunSummary, "status" | "stale">): string => (run.status === "PROCESSING" && run.stale ? "STALE" : run.status);

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(limit) || limit < 1) {
    throw new RunnableError("CLI_USAGE", `--limit must be a whole number ≥ 1, not "${text}"`, { hint: "e.g. runnable runs list --limit 20" });
  }
  return limit;
}

function wantedStatus(options: RunsListOptions): string | undefined {
  const status = options.status;
  if (status !== undefined && !STATUSES.includes(status.toUpperCase())) {
    throw new RunnableError("CLI_USAGE", `--status "${status}" is not a status`, { hint: `Use one of ${STATUSES.join(", ")}.` });
  }
  return status?.toUpperCase();
}

function keep<T extends Pick<RunSummary, "status" | "stale" | "tag">>(runs: T[], options: RunsListOptions): T[] {
  const wanted = wantedStatus(options);
  return runs.filter((run) => (wanted === undefined || shownStatus(run) === wanted) && (options.tag === undefined || (run.tag ?? "") === options.tag));
}

const updatedText = (ms: number | null): string => (ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "-");

/** A metric or parameter value in a column: numbers with at most 6 significant digits, text cut at 16. */
export function cellText(value: unknown): string {
  if (value === undefined) return "-";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "null");
  return text.length > 16 ? `${text.slice(0, 15)}…` : text;
}

/** The names a sort and a filter mention (their values become columns). */
function shownNames(options: RunsListOptions): Array<{ scope: "metrics" | "params" | "either"; name: string }> {
  const names = [...(options.sort ? [parseSort(options.sort)] : []), ...(options.filter ? parseFilter(options.filter) : [])];
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(`${n.scope}:${n.name}`) && seen.add(`${n.scope}:${n.name}`)).map(({ scope, name }) => ({ scope, name }));
}

/** The values the listing shows (its sort and filter names), when that is all it needs (not `--json` nor `--goal`). */
function listNeeds(options: RunsListOptions, goals: Record<string, unknown>): { needs?: IndexNeeds } {
  if (options.json || Object.keys(goals).length > 0) return {};
  const names = shownNames(options);
  return {
    needs: {
      metrics: names.filter((n) => n.scope !== "params").map((n) => n.name),
      parameters: names.filter((n) => n.scope !== "metrics").map((n) => n.name),
    },
  };
}

function printSummaries(io: CliIo, runs: RunSummary[], width: number): void {
  io.out(`${"RUN ID".padEnd(width)}  STATUS      TAG         UPDATED               PIPELINE\n`);
  for (const run of runs) {
    io.out(
      `${shown(run.run_id).padEnd(width)}  ${shownStatus(run).padEnd(10)}  ${(shown(run.tag) || "-").padEnd(10)}  ${updatedText(run.updated_ms).padEnd(20)}  ${shown(run.pipeline_file) || "(SDK)"}\n`,
    );
  }
}

/** Runs with the values of the sorted and filtered names as columns; a `*` marks a value taken over several items (explained below). */
function printDigests(io: CliIo, runs: RunDigest[], width: number, options: RunsListOptions): void {
  const names = shownNames(options);
  const cells = runs.map((run) =>
    names.map(({ scope, name }) => {
      const { found, value } = lookup(run, scope, name);
      const how = scope !== "params" && Object.hasOwn(run.metrics, name) ? run.metric_how[name] : undefined;
      return { text: found ? cellText(value) + (how ? "*" : "") : "-", how };
    }),
  );
  const widths = names.map((n, i) => Math.max(n.name.length, ...cells.map((row) => row[i]!.text.length)));
  const head = names.map((n, i) => n.name.padStart(widths[i]!)).join("  ");
  io.out(`${"RUN ID".padEnd(width)}  STATUS      ${head}  TAG         UPDATED               PIPELINE\n`);
  runs.forEach((run, r) => {
    const values = cells[r]!.map((cell, i) => cell.text.padStart(widths[i]!)).join("  ");
    io.out(
      `${shown(run.run_id).padEnd(width)}  ${shownStatus(run).padEnd(10)}  ${values}  ${(shown(run.tag) || "-").padEnd(10)}  ${updatedText(run.updated_ms).padEnd(20)}  ${shown(run.pipeline_file) || "(SDK)"}\n`,
    );
  });
  const notes = new Set(cells.flatMap((row) => row.flatMap((cell, i) => (cell.how ? [`${names[i]!.name}: ${cell.how}`] : []))));
  if (notes.size > 0)
    io.out(`* several step logs recorded the metric: ${[...notes].slice(0, 4).join("; ")}${notes.size > 4 ? "; …" : ""} (--goal METRIC=min|max chooses)\n`);
}

/** `runnable runs list`: one line per run in the configured store, newest first (or sorted by a metric), filtered. */
export async function runsListCommand(options: RunsListOptions, io: CliIo): Promise<number> {
  const limit = parseLimit(options.limit);
  const goals = parseGoals(options.goal);
  const byValues = Boolean(options.sort?.trim() || options.filter?.trim());
  if (options.filter) parseFilter(options.filter);
  if (options.sort) parseSort(options.sort);
  const store = await openRunLogStore({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  const warn = (message: string): void => io.err(`warning: ${message}\n`);
  const all = byValues
    ? selectRuns(keep(await runDigests(store, { cwd: io.cwd, env: io.env, warn, ...listNeeds(options, goals) }), options), {
        ...(options.filter ? { filter: options.filter } : {}),
        ...(options.sort ? { sort: options.sort } : {}),
        goals,
      })
    : keep(await store.list(), options);
  const runs = limit === undefined ? all : all.slice(0, limit);
  if (options.json) {
    io.out(`${JSON.stringify(runs, null, 2)}\n`);
    return 0;
  }
  if (runs.length === 0) {
    const filtered = options.status !== undefined || options.tag !== undefined || byValues;
    io.out(`no ${filtered ? "matching " : ""}runs in the ${store.type} run log store\n`);
    return 0;
  }
  const width = Math.max(6, ...runs.map((r) => r.run_id.length));
  if (byValues) printDigests(io, runs as RunDigest[], width, options);
  else printSummaries(io, runs, width);
  if (runs.some((run) => run.stale)) io.out("STALE: left PROCESSING by a process that is gone; `runnable retry <run-id>` continues it\n");
  return 0;
}
