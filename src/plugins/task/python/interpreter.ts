import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding runnable-ts' `runnable` Python package: from `dist/plugins/task/python/` (or
 * `src/...` under tests) up to the package root, then `python/`.
 */
export function packagePythonDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../../../python");
}

/** PYTHONPATH with runnable-ts' Python package first (an existing PYTHONPATH is kept after it). */
export function pythonPath(existing: string | undefined): string {
  return existing ? `${packagePythonDir()}${delimiter}${existing}` : packagePythonDir();
}

/** Where an executable named on a command line is (a path, or looked up on PATH); undefined when absent. */
export async function findExecutable(name: string, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<string | undefined> {
  const candidates = name.includes("/")
    ? [isAbsolute(name) ? name : resolve(cwd, name)]
    : (env["PATH"] ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** What to tell a user whose Python interpreter cannot be found. */
export function missingInterpreterHint(variable: string): string {
  return `install Python 3 (e.g. apt-get install python3) or set ${variable} to the interpreter to use`;
}
