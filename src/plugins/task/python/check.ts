import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { TaskNode } from "../../../core/graph.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A package or module name as importlib finds it in a folder: runnable 0.50's SDK scripts live in folders like `09-retry`. */
const MODULE_PART = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Problems with a `python` task's command, found without starting Python (fast, no user code runs). */
export async function checkPythonCommand(node: TaskNode, cwd: string): Promise<string[]> {
  const command = node.task.command.trim();
  const parts = command.split(".");
  const step = `step "${node.internalName}"`;
  if (parts.length < 2 || !IDENTIFIER.test(parts.at(-1)!) || !parts.slice(0, -1).every((part) => MODULE_PART.test(part))) {
    return [`${step}: The command should be a function to call as package.module.function, got "${command}" ` + "(a shell command needs command_type: shell)"];
  }
  const functionName = parts.pop()!;
  const module = await moduleSource(cwd, parts);
  if (module === undefined) return []; // not under the working directory: may be installed; checked at run time
  if (new RegExp(`\\b${functionName}\\b`).test(module.text) || /import\s+\*|__getattr__/.test(module.text)) return [];
  return [`${step}: module ${parts.join(".")} (${module.file}) has no function "${functionName}"`];
}

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
