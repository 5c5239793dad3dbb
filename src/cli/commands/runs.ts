import { openRunLogStore } from "../../runtime/open-store.js";
import type { CliIo } from "../io.js";
import { renderRunSummary } from "../run-summary.js";

/** `runnable runs list`: one line per run in the configured store. */
export async function runsListCommand(options: { configFile?: string; json?: boolean }, io: CliIo): Promise<number> {
  const store = await openRunLogStore({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  const runs = await store.list();
  if (options.json) {
    io.out(`${JSON.stringify(runs, null, 2)}\n`);
    return 0;
  }
  if (runs.length === 0) {
    io.out(`no runs in the ${store.type} run log store\n`);
    return 0;
  }
  const width = Math.max(6, ...runs.map((r) => r.run_id.length));
  io.out(`${"RUN ID".padEnd(width)}  STATUS      TAG         UPDATED               PIPELINE\n`);
  for (const run of runs) {
    const updated = run.updated_ms ? new Date(run.updated_ms).toISOString().replace("T", " ").slice(0, 19) : "-";
    const status = run.stale ? "STALE" : run.status;
    io.out(`${run.run_id.padEnd(width)}  ${status.padEnd(10)}  ${(run.tag || "-").padEnd(10)}  ${updated.padEnd(20)}  ${run.pipeline_file || "(SDK)"}\n`);
  }
  if (runs.some((run) => run.stale)) io.out("STALE: left PROCESSING by a process that is gone; `runnable retry <run-id>` continues it\n");
  return 0;
}

/** `runnable runs show RUN_ID`: a readable summary (or the run log JSON with --json). */
export async function runsShowCommand(
  runId: string,
  options: { configFile?: string; json?: boolean; branches?: string },
  io: CliIo,
): Promise<number> {
  const store = await openRunLogStore({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  const runLog = await store.get(runId);
  if (options.json) {
    io.out(`${JSON.stringify(runLog, null, 4)}\n`);
    return 0;
  }
  const branchLimit = options.branches === undefined ? 5 : Math.max(0, Number.parseInt(options.branches, 10) || 0);
  const lease = runLog.status === "PROCESSING" ? await store.leaseState(runId) : undefined;
  io.out(renderRunSummary(runLog, { color: io.isTTY, branchLimit, stale: lease?.state === "stale" }));
  return 0;
}
