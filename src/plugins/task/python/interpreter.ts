import { constants, existsSync } from "node:fs";
import { access } from "node:fs/promises";
import { basename, delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding runnable-ts' `runnable` Python package: `python/` in the nearest folder above this
 * module that has one (this module runs from `dist/plugins/task/python/`, from the bundled CLI in
 * `dist/cli/`, or from `src/...` under tests), or the folder holding that package when the CLI is the
 * Python wheel's (`runnable/_cli/dist/cli/`).
 */
export function packagePythonDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, "python");
    if (existsSync(join(candidate, "runnable", "__init__.py"))) return candidate;
    // The Python wheel carries this CLI inside the package (runnable/_cli/): the package's parent folder.
    if (basename(dir) === "_cli" && existsSync(join(dir, "..", "__init__.py"))) return dirname(dirname(dir));
    dir = dirname(dir);
  }
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
    : (env["PATH"] ?? "")
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
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
  const key = variable === "RUNNABLE_NOTEBOOK_PYTHON" ? "notebook_python" : "interpreter";
  return `install Python 3 (apt-get install python3), or name the interpreter to use in the config (task_runners: {python: {${key}: /path/to/python}}) or in ${variable}`;
}
