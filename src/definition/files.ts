import { realpathSync } from "node:fs";
import path from "node:path";
import { boundedReadFailure } from "../source/bounded-file.js";

/** How a file is named in problems: relative to `cwd` when inside it, else absolute. */
export function displayName(cwd: string, absolute: string): string {
  const relative = path.relative(cwd, absolute);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : absolute;
}

/** The real path of a file (symlinks resolved), or the path itself when it cannot be resolved. */
export function realPathOf(absolute: string): string {
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/** A one-line reason for a failed read: "not found", "is a directory", ... */
export function readFailure(error: unknown): string {
  const bounded = boundedReadFailure(error);
  if (bounded) return bounded;
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT") return "not found";
  if (code === "EISDIR") return "is a directory, not a file";
  if (code === "EACCES" || code === "EPERM") return "cannot be read (permission denied)";
  return `cannot be read (${(error as Error).message})`;
}
