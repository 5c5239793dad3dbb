import { randomBytes } from "node:crypto";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeAtomic } from "../../../io/atomic-file.js";
import type { SlurmConfig } from "./schema.js";

// A run's folder on the shared file system, `<job_folder>/<run id>/`: each job's batch script, the map
// items of its array tasks, its output files, and `jobs.jsonl`, the jobs submitted for the run (so a
// later process of the same run finds the jobs an earlier one left running).

/** The jobs file of a run folder: one JSON line per submitted job. */
const LEDGER = "jobs.jsonl";

/** A line of the jobs file. */
export interface LedgerEntry {
  job: string;
  /** `step` for a step's job (or array), `driver` for the walker of a detached run. */
  kind: "step" | "driver";
  /** The step's internal name (placeholders unresolved), for steps. */
  step?: string;
  at: string;
}

/** The absolute folder of a run's job files. */
export function runFolder(config: Pick<SlurmConfig, "job_folder" | "working_directory">, cwd: string, runId: string): string {
  return resolve(cwd, config.working_directory ?? ".", config.job_folder, runId);
}

/** A new, unique file stem for a job of `name` in a run folder (safe in file names; the same step submitted again gets another). */
export function jobStem(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9_.-]+/g, "_")
    .replace(/^[.]+/, "_")
    .slice(0, 80);
  return `${safe}.${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

/** Writes a job's files (atomically: a compute node never reads half a script); returns their absolute paths. */
export async function writeJobFiles(folder: string, stem: string, script: string, items?: unknown): Promise<{ script: string; items?: string }> {
  await mkdir(folder, { recursive: true });
  const scriptPath = join(folder, `${stem}.sh`);
  await writeAtomic(scriptPath, script);
  if (items === undefined) return { script: scriptPath };
  const itemsPath = join(folder, `${stem}.items.json`);
  await writeAtomic(itemsPath, JSON.stringify(items));
  return { script: scriptPath, items: itemsPath };
}

/** Appends a submitted job to the run's jobs file (one short append: concurrent writers do not tear it). */
export async function recordJob(folder: string, entry: Omit<LedgerEntry, "at">): Promise<void> {
  await mkdir(folder, { recursive: true });
  await appendFile(join(folder, LEDGER), `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`);
}

/** The jobs recorded for a run (none when its folder has no jobs file); unreadable lines are skipped. */
export async function recordedJobs(folder: string): Promise<LedgerEntry[]> {
  const text = await readFile(join(folder, LEDGER), "utf8").catch(() => "");
  const entries: LedgerEntry[] = [];
  for (const line of text.split("\n")) {
    try {
      const entry = JSON.parse(line) as LedgerEntry;
      if (typeof entry.job === "string" && /^\d+$/.test(entry.job)) entries.push(entry);
    } catch {
      // a torn or foreign line
    }
  }
  return entries;
}

export { sharedFolderRunnableCommand as defaultRunnableCommand } from "../shared/runnable-command.js";
