import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { TaskNode } from "../../../core/graph.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A package or module name as importlib finds it in a folder: runnable 0.50's SDK scripts live in folders like `09-retry`. */
const MODULE_PART = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** The interpreter that runs tasks, asked whether it can import a top-level module (undefined: it could not say). */
export interface InstalledModules {
  interpreter: string;
  find: (topLevel: string) => Promise<boolean | undefined>;
}

/**
 * Problems with a `python` task's command. Modules under the working directory are read, not run; a
 * module found nowhere there is looked up with `installed` (the task interpreter's find_spec), so a
 * missing module and a missing function are reported together.
 */
export async function checkPythonCommand(node: TaskNode, cwd: string, installed?: InstalledModules): Promise<string[]> {
  const command = node.task.command.trim();
  const parts = command.split(".");
  const step = `step "${node.internalName}"`;
  if (parts.length < 2 || !IDENTIFIER.test(parts.at(-1)!) || !parts.slice(0, -1).every((part) => MODULE_PART.test(part))) {
    return [`${step}: The command should be a function to call as package.module.function, got "${command}" ` + "(a shell command needs command_type: shell)"];
  }
  const functionName = parts.pop()!;
  const module = await moduleSource(cwd, parts);
  if (module === undefined) return missingModule(step, parts, cwd, installed);
  if (new RegExp(`\\b${functionName}\\b`).test(module.text) || /import\s+\*|__getattr__/.test(module.text)) return [];
  return [`${step}: module ${parts.join(".")} (${module.file}) has no function "${functionName}"`];
}

/**
 * The problem of a module that is not under the working directory: none when it is installed (or Python
 * cannot say), one when its package is under the working directory without it, or Python cannot find it.
 */
async function missingModule(step: string, parts: string[], cwd: string, installed: InstalledModules | undefined): Promise<string[]> {
  const name = parts.join(".");
  const files = `neither ${join(...parts)}.py nor ${join(...parts, "__init__.py")}`;
  const top = parts[0]!;
  const localTop = (await isFile(join(cwd, top, "__init__.py"))) || (await isFile(join(cwd, `${top}.py`)));
  if (localTop && parts.length > 1) return [`${step}: module ${name} not found: ${files} exists under the working directory (${cwd})`];
  if (localTop || !installed || (await installed.find(top)) !== false) return [];
  const install = `${installed.interpreter} -m pip install ${top}`;
  return [
    `${step}: module ${name} not found: ${files} exists under the working directory (${cwd}), and ${installed.interpreter} cannot import "${top}" (check the spelling, or install it: ${install})`,
  ];
}

const isFile = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/** `a/b.py` or `a/b/__init__.py` under `cwd` (path as written and text), or undefined when neither exists. */
async function moduleSource(cwd: string, parts: string[]): Promise<{ file: string; text: string } | undefined> {
  const base = join(...parts);
  for (const file of [`${base}.py`, join(base, "__init__.py")]) {
    const text = await readFile(join(cwd, file), "utf8").catch(() => undefined);
    if (text !== undefined) return { file, text };
  }
  return undefined;
}

/** Problems with a `notebook` task: an `.ipynb` command naming a readable notebook. */
export async function checkNotebookCommand(node: TaskNode, cwd: string, outputPath: string): Promise<string[]> {
  const command = node.task.command.trim();
  const step = `step "${node.internalName}"`;
  if (!command.toLowerCase().endsWith(".ipynb")) return [`${step}: Notebook task should point to a ipynb file, got "${command}"`];
  const path = resolve(cwd, command);
  if (
    !(await stat(path).then(
      (s) => s.isFile(),
      () => false,
    ))
  )
    return [`${step}: notebook ${command} not found under ${cwd}`];
  if (resolve(cwd, outputPath) === path) return [`${step}: notebook_output_path must differ from the notebook itself (${command})`];
  try {
    const notebook = JSON.parse(await readFile(path, "utf8")) as { cells?: unknown };
    if (!Array.isArray(notebook.cells)) return [`${step}: ${command} is not a Jupyter notebook (no "cells" list)`];
  } catch (error) {
    return [`${step}: ${command} is not valid notebook JSON: ${(error as Error).message}`];
  }
  return [];
}
