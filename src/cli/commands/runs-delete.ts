import { RunnableError } from "../../core/errors.js";
import type { Catalog } from "../../ports/catalog.js";
import type { RunLogStore, RunSummary } from "../../ports/run-log-store.js";
import { openStoreAndCatalog } from "../../runtime/open-store.js";
import { parseAge } from "../age.js";
import type { CliIo } from "../io.js";

/** A byte count for people: `512 B`, `3.4 KiB`, `1.2 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const isLive = (run: RunSummary): boolean => run.status === "PROCESSING" && run.stale !== true;

async function removeRun(store: RunLogStore, catalog: Catalog, runId: string): Promise<{ log: number; files: number }> {
  const log = (await store.delete(runId)).freedBytes;
  const files = (await catalog.deleteRun(runId)).freedBytes;
  return { log, files };
}

function report(io: CliIo, runId: string, freed: { log: number; files: number }): void {
  io.out(`deleted ${runId}: freed ${formatBytes(freed.log + freed.files)} (run log ${formatBytes(freed.log)}, catalog ${formatBytes(freed.files)})\n`);
}

/** `runnable runs delete RUN_ID...`: removes runs and their catalog folders; refuses live runs (nothing is deleted then). */
export async function runsDeleteCommand(runIds: string[], options: { configFile?: string }, io: CliIo): Promise<number> {
  const { store, catalog } = await openStoreAndCatalog({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  const listed = new Map((await store.list()).map((run) => [run.run_id, run]));
  for (const runId of runIds) {
    const run = listed.get(runId);
    if (!run && !(await store.exists(runId))) await store.get(runId);
    if (run && isLive(run)) {
      throw new RunnableError("CLI_USAGE", `Run ${runId} is still running (PROCESSING); nothing was deleted`, {
        hint: "Wait for it to finish or stop it; a run whose orchestrator is gone shows as stale and can be deleted.",
      });
    }
  }
  let total = 0;
  for (const runId of new Set(runIds)) {
    const freed = await removeRun(store, catalog, runId);
    total += freed.log + freed.files;
    report(io, runId, freed);
  }
  if (runIds.length > 1) io.out(`freed ${formatBytes(total)} in total\n`);
  return 0;
}

/** `runnable runs gc --older-than DURATION`: deletes runs last changed before then (live runs are kept). */
export async function runsGcCommand(options: { configFile?: string; olderThan: string; dryRun?: boolean }, io: CliIo): Promise<number> {
  const age = parseAge(options.olderThan);
  const { store, catalog } = await openStoreAndCatalog({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  const cutoff = Date.now() - age;
  const old = (await store.list()).filter((run) => run.updated_ms !== null && run.updated_ms < cutoff);
  const live = old.filter(isLive);
  for (const run of live) io.out(`kept ${run.run_id}: still running\n`);
  let total = 0;
  let count = 0;
  for (const run of old.filter((r) => !isLive(r))) {
    if (options.dryRun) {
      io.out(`would delete ${run.run_id}\n`);
      continue;
    }
    const freed = await removeRun(store, catalog, run.run_id);
    total += freed.log + freed.files;
    count++;
    report(io, run.run_id, freed);
  }
  if (!options.dryRun) io.out(`deleted ${count} run${count === 1 ? "" : "s"} older than ${options.olderThan}, freed ${formatBytes(total)}\n`);
  else if (old.length === live.length) io.out(`no runs older than ${options.olderThan}: nothing would be deleted\n`);
  return 0;
}
