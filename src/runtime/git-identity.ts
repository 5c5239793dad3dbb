import { execFile } from "node:child_process";
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { CodeIdentity } from "../core/run-log.js";

/** Folders (relative to the working directory) whose changes do not make the code undependable: the framework's own output. */
export const DEFAULT_IDENTITY_EXCLUDES: readonly string[] = [".catalog", ".run_log_store"];

/** Options of {@link gitCodeIdentity}. */
export interface GitIdentityOptions {
  /** Paths relative to `cwd` whose changes are ignored (default {@link DEFAULT_IDENTITY_EXCLUDES}). */
  exclude?: readonly string[];
}

const MAX_LISTED = 20;

type GitResult = { ok: true; stdout: string } | { ok: false; stdout: string; reason: string; missing: boolean };

function git(args: string[], cwd: string): Promise<GitResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" };
    execFile("git", args, { cwd, env, timeout: 20_000, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout });
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      const reason = String(stderr).trim().split("\n")[0] || error.message;
      resolve({ ok: false, stdout: String(stdout), reason, missing });
    });
  });
}

/** Changed paths from `git status --porcelain -z` (renames and copies name their new path only). */
export function parsePorcelain(output: string): string[] {
  const fields = output.split("\0");
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.length < 4) continue;
    paths.push(field.slice(3));
    if (field[0] === "R" || field[0] === "C") i++;
  }
  return paths;
}

/** `changes found in a, b, ...` with at most 20 names, then `and N more`. */
export function changesMessage(paths: readonly string[]): string {
  const listed = paths.slice(0, MAX_LISTED).join(", ");
  const more = paths.length > MAX_LISTED ? ` and ${paths.length - MAX_LISTED} more` : "";
  return `changes found in ${listed}${more}`;
}

async function excludedPrefixes(cwd: string, top: string, exclude: readonly string[]): Promise<string[]> {
  const realCwd = await realpath(cwd).catch(() => cwd);
  return exclude
    .map((entry) => path.relative(top, path.resolve(realCwd, entry)).split(path.sep).join("/"))
    .filter((relative) => relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative));
}

const unknown = (message: string): CodeIdentity => ({
  code_identifier: null,
  code_identifier_type: "git",
  code_identifier_dependable: false,
  code_identifier_url: null,
  code_identifier_message: message,
});

async function notARepo(cwd: string, status: Extract<GitResult, { ok: false }>): Promise<CodeIdentity> {
  if (status.missing) {
    // A missing cwd also makes the spawn fail with ENOENT.
    const cwdExists = await stat(cwd).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!cwdExists) return unknown(`the folder ${cwd} does not exist: the code identity is unknown`);
    return unknown("git is not installed (or not on PATH): the code identity is unknown");
  }
  if (/not a git repository/i.test(status.reason)) {
    return unknown(`${cwd} is not inside a git repository: the code identity is unknown`);
  }
  return unknown(`git could not report the code identity: ${status.reason}`);
}

/**
 * The git identity of the code in `cwd`: HEAD's commit, the origin URL, and whether the tree is clean
 * (staged, unstaged and untracked changes all count). Runs three git commands in parallel; never throws.
 */
export async function gitCodeIdentity(cwd: string, options: GitIdentityOptions = {}): Promise<CodeIdentity> {
  try {
    const [head, status, remote] = await Promise.all([
      git(["rev-parse", "--show-toplevel", "HEAD"], cwd),
      git(["status", "--porcelain", "-z", "--untracked-files=normal"], cwd),
      git(["config", "--get", "remote.origin.url"], cwd),
    ]);
    if (!status.ok) return notARepo(cwd, status);
    const [top = "", commit = ""] = head.stdout.split("\n").map((line) => line.trim());
    const hasCommit = head.ok && /^[0-9a-f]{40,64}$/.test(commit);
    const excluded = top ? await excludedPrefixes(cwd, top, options.exclude ?? DEFAULT_IDENTITY_EXCLUDES) : [];
    const changed = parsePorcelain(status.stdout).filter(
      (file) => !excluded.some((prefix) => file === prefix || file === `${prefix}/` || file.startsWith(`${prefix}/`)),
    );
    const url = remote.ok && remote.stdout.trim() !== "" ? remote.stdout.trim() : null;
    const changes = changed.length > 0 ? changesMessage(changed) : "";
    return {
      code_identifier: hasCommit ? commit : null,
      code_identifier_type: "git",
      code_identifier_dependable: hasCommit && changed.length === 0,
      code_identifier_url: url,
      code_identifier_message: hasCommit ? changes : ["the repository has no commits yet", changes].filter(Boolean).join("; "),
    };
  } catch (error) {
    return unknown(`could not compute the code identity: ${error instanceof Error ? error.message : String(error)}`);
  }
}
