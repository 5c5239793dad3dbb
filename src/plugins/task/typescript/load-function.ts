import { access } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { RunnableError } from "../../../core/errors.js";
import { importModule, moduleLoadError } from "../../../io/import-module.js";

/** A function a task can call: gets the parameters, may return new parameters. */
export type TaskFunction = (parameters: Record<string, unknown>) => unknown;

/** Splits `path/to/module.ts#export` (export defaults to `default`). */
export function parseCommand(command: string): { modulePath: string; exportName: string } {
  const at = command.lastIndexOf("#");
  if (at < 0) return { modulePath: command.trim(), exportName: "default" };
  return { modulePath: command.slice(0, at).trim(), exportName: command.slice(at + 1).trim() || "default" };
}

/** Loads the function a command names, with clear errors for missing files, failing imports and exports. */
export async function loadTaskFunction(command: string, cwd: string, cache: Map<string, Promise<Record<string, unknown>>>): Promise<TaskFunction> {
  const { modulePath, exportName } = parseCommand(command);
  if (!modulePath) throw new RunnableError("MODULE_LOAD_FAILED", `command "${command}" names no module`);
  const path = isAbsolute(modulePath) ? modulePath : resolve(cwd, modulePath);
  let loading = cache.get(path);
  if (!loading) {
    loading = loadOnce(path, command);
    cache.set(path, loading);
    loading.catch(() => cache.delete(path));
  }
  const module = await loading;
  const candidate = exportName === "default" ? module.default : module[exportName];
  if (typeof candidate !== "function") {
    const exported = Object.keys(module).filter((k) => typeof module[k] === "function");
    throw new RunnableError("EXPORT_NOT_FOUND", `module ${modulePath} has no exported function "${exportName}"`, {
      hint: exported.length ? `exported functions: ${exported.join(", ")}` : "the module exports no functions",
    });
  }
  return candidate as TaskFunction;
}

async function loadOnce(path: string, command: string): Promise<Record<string, unknown>> {
  try {
    await access(path);
  } catch {
    throw new RunnableError("MODULE_LOAD_FAILED", `cannot find module ${path} (command "${command}")`, {
      hint: "module paths are resolved from the working directory; check the path and extension",
    });
  }
  try {
    return await importModule(path);
  } catch (error) {
    throw moduleLoadError(`module ${path}`, error);
  }
}
