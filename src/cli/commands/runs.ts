import { RunnableError } from "../../core/errors.js";
import { RUN_ID_HINT, validateRunId } from "../../core/run-id.js";
import type { RunSummary } from "../../ports/run-log-store.js";
import { openRunLogStore } from "../../runtime/open-store.js";
import type { CliIo } from "../io.js";
import { renderRunSummary } from "../run-summary.js";
import { printable, printableDeep } from "../printable.js";

/** Options of `runnable runs list`. */
export interface RunsListOptions {
  configFile?: string;
  json?: boolean;
  status?: string;
  tag?: string;
  limit?: string;
}

const STATUSES = ["CREATED", "TRIGGERED", "PROCESSING", "SUCCESS", "FAIL", "STALE"];

/** The status shown for a run: PROCESSING runs whose orchestrator is gone are `STALE`. */
export const shownStatus = (run: RunSummary): string => (run.status === "PROCESSING" && run.stale ? "STALE" : run.status);

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(limit) || limit < 1) {
    throw new RunnableError("CLI_USAGE", `--limit must be a whole number ≥ 1, not "${text}"`, { hint: "e.g. runnable runs list --limit 20" });
  }
  return limit;
}

function filterRuns(runs: RunSummary[], options: RunsListOptions): RunSummary[] {
  const status = options.status;
  if (status !== undefined && !STATUSES.includes(status.toUpperCase())) {
    throw new RunnableError("CLI_USAGE", `--status "${status}" is not a status`, { hint: `Use one of ${STATUSES.join(", ")}.` });
  }
  const wanted = status?.toUpperCase();
  const filtered = runs.filter(
    (run) => (wanted === undefined || shownStatus(run) === wanted) && (options.tag === undefined || (run.tag ?? "") === options.tag),
  );
  const limit = parseLimit(options.limit);
  return limit === undefined ? filtered : filtered.slice(0, limit);
}

/** A run id given on the command line, refused before any store is opened when it cannot be one. */
export function checkRunIdArgument(runId: string): void {
  const problem = validateRunId(runId);
  if (problem) throw new RunnableError("CLI_USAGE", `invalid run id "${runId}": ${problem}`, { hint: RUN_ID_HINT });
}

/** `--branches`: how many branches of each composite step `runs show` lists (0 = none). */
function parseBranches(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new RunnableError("CLI_USAGE", `--branches must be a whole number ≥ 0, not "${text}"`, {
      hint: "e.g. --branches 20 (0 lists none; the default is 5)",
    });
  }
  return Number(text);
}

/** `runnable runs list`: one line per run in the configured store, newest first, filtered. */
export async function runsListCommand(options: RunsListOptions, io: CliIo): Promise<number> {
  const store = await openRunLogStore({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  const runs = filterRuns(await store.list(), options);
  if (options.json) {
    io.out(`${JSON.stringify(runs, null, 2)}\n`);
    return 0;
  }
  if (runs.length === 0) {
    const filtered = options.status !== undefined || options.tag !== undefined;
    io.out(`no ${filtered ? "matching " : ""}runs in the ${store.type} run log store\n`);
    return 0;
  }
  const width = Math.max(6, ...runs.map((r) => r.run_id.length));
  const shown = (text: string | null): string => printable(text ?? "", true);
  io.out(`${"RUN ID".padEnd(width)}  STATUS      TAG         UPDATED               PIPELINE\n`);
  for (const run of runs) {
    const updated = run.updated_ms ? new Date(run.updated_ms).toISOString().replace("T", " ").slice(0, 19) : "-";
    io.out(
      `${shown(run.run_id).padEnd(width)}  ${shownStatus(run).padEnd(10)}  ${(shown(run.tag) || "-").padEnd(10)}  ${updated.padEnd(20)}  ${shown(run.pipeline_file) || "(SDK)"}\n`,
    );
  }
  if (runs.some((run) => run.stale)) io.out("STALE: left PROCESSING by a process that is gone; `runnable retry <run-id>` continues it\n");
  return 0;
}

/** `runnable runs show RUN_ID`: a readable summary (or the run log JSON with --json). */
export async function runsShowCommand(runId: string, options: { configFile?: string; json?: boolean; branches?: string }, io: CliIo): Promise<number> {
  const branchLimit = options.branches === undefined ? 5 : parseBranches(options.branches);
  checkRunIdArgument(runId);
  const store = await openRunLogStore({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  const runLog = await store.get(runId);
  if (options.json) {
    io.out(`${JSON.stringify(runLog, null, 4)}\n`);
    return 0;
  }
  const lease = runLog.status === "PROCESSING" ? await store.leaseState(runId) : undefined;
  io.out(renderRunSummary(printableDeep(runLog), { color: io.isTTY, branchLimit, stale: lease?.state === "stale" }));
  return 0;
}
