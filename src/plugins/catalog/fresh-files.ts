import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { RunnableError } from "../../core/errors.js";
import type { PutOptions } from "../../ports/catalog.js";

// A step's `put` records only files its attempt created or changed: a file that matches the pattern
// but was last changed before the attempt started (left by an earlier run, or by another map item in
// the same working directory) is left out with a warning, or fails the put, as the catalog's
// `stale_files` setting says (`allow`: runnable's behaviour, everything that matches).

/** What a put does with a matching file older than the attempt. */
export const staleFilesSchema = z
  .enum(["warn", "refuse", "allow"])
  .optional()
  .meta({ description: "A put's matching file older than the step's attempt: leave it out with a warning, fail the step, or store it anyway (default warn)" });

/** The `stale_files` setting (default `warn`). */
export type StaleFiles = NonNullable<z.output<typeof staleFilesSchema>>;

/**
 * File times come from the kernel's coarse clock, up to one tick (1-10 ms) behind the clock that
 * timed the attempt's start: a file written right after the start may look that much older.
 */
const CLOCK_SLACK_MS = 10;

/** `3 min 12 s`, `2 h 5 min`, `4 days`: how long ago, in words. */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  const days = Math.floor(s / 86_400);
  return `${days} day${days === 1 ? "" : "s"}`;
}

/** When a file was last changed: its content (mtime) or itself (ctime: renamed, copied into place). */
async function changedMs(file: string): Promise<number> {
  const info = await stat(file);
  return Math.max(info.mtimeMs, info.ctimeMs);
}

function listed(stale: Array<{ name: string; age: number }>): string {
  const shown = stale.slice(0, 5).map((s) => `${s.name} (last changed ${ageText(s.age)} before the attempt started)`);
  return shown.join(", ") + (stale.length > 5 ? `, and ${stale.length - 5} more` : "");
}

const HINT =
  "Write the file in this step (delete leftovers before the run), give each map item its own file name " +
  "(e.g. model_${lr}.pt: a map's iterate_as in a catalog pattern or a command is replaced by the item's value), " +
  "or set stale_files: allow in the catalog's config to store whatever matches.";

/**
 * The files of `files` (relative to `root`) a put may store: all of them without `options.since` or
 * with `allow`; else those changed since the attempt started, warning about the others (`warn`) or
 * failing with CATALOG_ERROR (`refuse`, or when nothing fresh is left).
 */
export async function freshFiles(
  root: string,
  files: readonly string[],
  pattern: string,
  policy: StaleFiles,
  options: PutOptions | undefined,
  warn: (message: string) => void,
): Promise<string[]> {
  const since = options?.since;
  if (since === undefined || policy === "allow") return [...files];
  const fresh: string[] = [];
  const stale: Array<{ name: string; age: number }> = [];
  for (const name of files) {
    const changed = await changedMs(path.join(root, name));
    if (changed >= since - CLOCK_SLACK_MS) fresh.push(name);
    else stale.push({ name, age: since - changed });
  }
  if (stale.length === 0) return fresh;
  const who = options?.owner ? ` (${options.owner})` : "";
  if (policy === "refuse" || fresh.length === 0) {
    const why = fresh.length === 0 && policy === "warn" ? "every file matching it is older than the attempt" : "it matches files older than the attempt";
    throw new RunnableError("CATALOG_ERROR", `Catalog put ${pattern}${who}: ${why}: ${listed(stale)}; they were not made by this step`, { hint: HINT });
  }
  warn(`catalog put ${pattern}${who} left out ${stale.length === 1 ? "a file" : `${stale.length} files`} older than the attempt: ${listed(stale)}`);
  return fresh;
}
