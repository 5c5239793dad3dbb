import { randomBytes } from "node:crypto";
import { lstat, mkdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { catalogPatternProblem } from "../../core/catalog-patterns.js";
import { RunnableError } from "../../core/errors.js";

// Paths of the catalogs: patterns and names relative to the working directory or a run's catalog,
// files found below a root without following links out of it, targets prepared inside a root, and the
// temp files a transfer writes before renaming into place (skipped when found).

const TEMP_MARK = ".runnable-tmp-";
const TEMP_NAME = /\.runnable-tmp-[0-9a-f]+$/;

/** A temp file for `target`: beside it, or in `tempDir` (same file system), named so that `findFiles` skips it. */
export const tempPathFor = (target: string, tempDir?: string): string =>
  path.join(tempDir ?? path.dirname(target), `.${path.basename(target)}${TEMP_MARK}${randomBytes(6).toString("hex")}`);

/** A relative path or pattern without `./` prefixes or doubled slashes, in posix form. */
export function normalizeRelative(pattern: string): string {
  const normalized = path.posix.normalize(pattern.replace(/\\/g, "/"));
  return normalized.replace(/^(\.\/)+/, "");
}

/** Throws CATALOG_ERROR when a pattern or name is empty, absolute or walks up with `..`. */
export function checkRelative(pattern: string, what: string, root: string, rootName: string): void {
  const problem = catalogPatternProblem(pattern);
  if (problem === "is empty" || problem === "contains a NUL character") {
    throw new RunnableError("CATALOG_ERROR", `Catalog ${what} ${JSON.stringify(pattern)} is empty or invalid`, {
      hint: `Write a path or glob relative to ${root}, e.g. "data/*.csv".`,
    });
  }
  if (problem) {
    throw new RunnableError("CATALOG_ERROR", `Catalog ${what} "${pattern}" escapes the ${rootName} (${root})`, {
      hint: `Catalog ${what}s are relative to the ${rootName}: they cannot be absolute or contain "..".`,
    });
  }
}

/** True when `target` is `root` or lies below it (both already resolved). */
export function isInside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

async function realpathOrNull(target: string): Promise<string | null> {
  try {
    return await realpath(target);
  } catch {
    return null;
  }
}

async function candidates(root: string, pattern: string, ignore: string[], skipped: string[]): Promise<string[]> {
  if (!isDynamicPattern(pattern)) {
    // A literal name may be a symbolic link (the crawler skips links); its target is checked below.
    const exists = await lstat(path.join(root, pattern)).then(
      () => true,
      () => false,
    );
    if (!exists) await noteLinkOnTheWay(root, pattern, skipped);
    return exists ? [normalizeRelative(pattern)] : [];
  }
  // Links are not followed while crawling, so a link to `/` cannot make a glob walk the whole disk.
  const files = await glob(pattern, { cwd: root, dot: true, onlyFiles: true, followSymbolicLinks: false, expandDirectories: false, ignore });
  const first = normalizeRelative(pattern).split("/")[0] ?? "";
  if (files.length === 0 && !first.includes("**")) {
    // Only to explain an empty result: which links (never followed) the pattern's first part names.
    const entries = await glob(first, { cwd: root, dot: true, onlyFiles: false, followSymbolicLinks: false, expandDirectories: false, deep: 1, ignore });
    for (const entry of entries) await noteLinkOnTheWay(root, entry, skipped);
  }
  return files;
}

/** Notes a symbolic link at the start of `relative` that leads outside `root` (it is never followed). */
async function noteLinkOnTheWay(root: string, relative: string, skipped: string[]): Promise<void> {
  const first = normalizeRelative(relative).split("/")[0] ?? "";
  const info = first ? await lstat(path.join(root, first)).catch(() => null) : null;
  if (!info?.isSymbolicLink()) return;
  const [realRoot, real] = await Promise.all([realpathOrNull(root), realpathOrNull(path.join(root, first))]);
  if (realRoot !== null && (real === null || !isInside(realRoot, real))) skipped.push(`${first} -> ${real ?? "a missing target"}`);
}

/**
 * Files below `root` matching `pattern`, as sorted posix paths relative to `root`. Only regular files
 * whose real path stays inside `root` count; left-over temp files are skipped. Matches that are links
 * leading outside are listed in `skipped` (as `name -> target`), for the message when nothing is left.
 */
export async function findFiles(root: string, pattern: string, ignore: string[] = [], skipped: string[] = []): Promise<string[]> {
  const realRoot = await realpathOrNull(root);
  if (realRoot === null) return [];
  const found = new Set<string>();
  for (const relative of await candidates(root, pattern, ignore, skipped)) {
    if (TEMP_NAME.test(relative)) continue;
    const real = await realpathOrNull(path.join(root, relative));
    if (real === null) continue;
    if (!isInside(realRoot, real)) {
      skipped.push(`${relative} -> ${real}`);
      continue;
    }
    const isFile = await stat(real).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isFile) found.add(normalizeRelative(relative));
  }
  return [...found].sort();
}

/** Creates the parent folder of `root/relative` and checks it really is inside `root` (no link escapes). */
export async function prepareTarget(root: string, relative: string, verified?: Set<string>): Promise<string> {
  const target = path.join(root, relative);
  // Folders this catalog created and checked itself need no second check (the per-step execution log).
  if (verified?.has(path.dirname(target))) return target;
  await mkdir(path.dirname(target), { recursive: true });
  const [realRoot, realParent] = await Promise.all([realpath(root), realpath(path.dirname(target))]);
  if (!isInside(realRoot, realParent)) {
    throw new RunnableError("CATALOG_ERROR", `Refusing to write ${target}: a symbolic link leads outside ${root}`, {
      hint: "Remove the symbolic link or choose another destination.",
    });
  }
  verified?.add(path.dirname(target));
  return target;
}
