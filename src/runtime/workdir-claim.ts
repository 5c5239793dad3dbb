import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { processAlive } from "../io/process-alive.js";

// Two runs in one working directory read and catalog each other's files (run b stores what run a
// wrote, under its own hash). Each run claims its working directory while it goes: a small file per
// process under <tmp>/runnable-<uid>/workdirs/<hash of the folder>/, so a second run sees the first
// one (whose process is alive) and warns. Claims of dead processes are removed by the next run.

/** Another live run in the same working directory. */
export interface OtherRun {
  pid: number;
  runId: string;
  sinceMs: number;
}

/** A run's claim on its working directory; `release` gives it up (idempotent). */
export interface WorkdirClaim {
  /** Runs of other live processes claiming the same folder when this claim was made. */
  others: OtherRun[];
  release(): Promise<void>;
}

async function claimsFolder(cwd: string): Promise<string> {
  const real = await realpath(cwd).catch(() => path.resolve(cwd));
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  const hash = createHash("sha256").update(real).digest("hex").slice(0, 24);
  return path.join(os.tmpdir(), `runnable-${uid}`, "workdirs", hash);
}

async function readClaim(file: string): Promise<OtherRun | undefined> {
  try {
    const value = JSON.parse(await readFile(file, "utf8")) as { pid?: unknown; runId?: unknown; sinceMs?: unknown };
    if (typeof value.pid !== "number" || typeof value.runId !== "string") return undefined;
    return { pid: value.pid, runId: value.runId, sinceMs: typeof value.sinceMs === "number" ? value.sinceMs : 0 };
  } catch {
    return undefined;
  }
}

/** Claims `cwd` for run `runId` and reports the other live runs there (claims of dead processes are swept). */
export async function claimWorkdir(cwd: string, runId: string): Promise<WorkdirClaim> {
  const folder = await claimsFolder(cwd);
  const own = path.join(folder, `${process.pid}-${runId}.json`);
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await writeFile(own, JSON.stringify({ pid: process.pid, runId, cwd, sinceMs: Date.now() }), { mode: 0o600 });
  } catch {
    // Detection is a courtesy: a temp folder that cannot be written must not stop the run.
    return { others: [], release: async () => undefined };
  }
  const others: OtherRun[] = [];
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    const file = path.join(folder, name);
    if (file === own) continue;
    const claim = await readClaim(file);
    if (claim && claim.pid !== process.pid && processAlive(claim.pid)) others.push(claim);
    else if (!claim || !processAlive(claim.pid)) await rm(file, { force: true });
  }
  return { others, release: () => rm(own, { force: true }) };
}

/** The warning for other runs in the same folder. */
export function sharedWorkdirWarning(cwd: string, others: readonly OtherRun[]): string {
  const listed = others.map((other) => `${other.runId} (pid ${other.pid})`).join(", ");
  return (
    `another run is going in this working directory (${cwd}): ${listed}. Runs in one folder share its files, ` +
    "so each may read, change or catalog what the other writes; run them one after the other, or each in its own folder"
  );
}
