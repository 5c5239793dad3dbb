import { access } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { RunnableError, messageOf } from "../../../core/errors.js";

/** A function a task can call: gets the parameters, may return new parameters. */
export type TaskFunction = (parameters: Record<string, unknown>) => unknown;

/** Splits `path/to/module.ts#export` (export defaults to `default`). */
export function parseCommand(command: string): { modulePath: string; exportName: string } {
  const at = command.lastIndexOf("#");
  if (at < 0) return { modulePath: command.trim(), exportName: "default" };
  return { modulePath: command.slice(0, at).trim(), exportName: command.slice(at + 1).trim() || "default" };
}

const TS_EXTENSIONS = /\.(m|c)?tsx?$/;

/**
 * Imports a module; TypeScript files go through tsx so no build step is needed. A TypeScript file in
 * a project without `"type": "module"` is compiled as CommonJS, and importing that from ESM wraps its
 * exports once more (`{ default: { __esModule, default, ... } }`): the inner namespace is returned.
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  if (TS_EXTENSIONS.test(path)) {
    const { tsImport } = await import("tsx/esm/api");
    return unwrapInterop((await tsImport(url, import.meta.url)) as Record<string, unknown>);
  }
  return unwrapInterop((await import(url)) as Record<string, unknown>);
}

function unwrapInterop(module: Record<string, unknown>): Record<string, unknown> {
  const inner = module.default as Record<string, unknown> | null | undefined;
  const wrapped = typeof inner === "object" && inner !== null && inner["__esModule"] === true;
  return wrapped ? { ...module, ...inner } : module;
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

/**
 * A MODULE_LOAD_FAILED error for a module that failed to import: the first line of the reason (without
 * tsx's `?namespace=` suffixes and Node's require stack), and for a package that is not installed, how
 * to install it.
 */
export function moduleLoadError(what: string, error: unknown): RunnableError {
  const reason = (messageOf(error).split("\n")[0] ?? "").replace(/\?namespace=[\w-]+/g, "");
  const code = (error as { code?: unknown }).code;
  const missing = /Cannot find (?:module|package) '([^']+)'/.exec(reason)?.[1];
  const bare = missing !== undefined && !missing.startsWith(".") && !missing.startsWith("/") && !missing.startsWith("file:");
  const notInstalled = bare && (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND");
  const name = missing?.startsWith("@") ? missing.split("/").slice(0, 2).join("/") : missing?.split("/")[0];
  return new RunnableError("MODULE_LOAD_FAILED", `cannot load ${what}: ${reason}`, {
    cause: error,
    hint: notInstalled ? `the package "${name}" is not installed: npm install ${name}` : "fix the module so that it imports (try: npx tsx <module>)",
  });
}
