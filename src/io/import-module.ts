import { pathToFileURL } from "node:url";
import { RunnableError, messageOf } from "../core/errors.js";
import { dynamicImport } from "./dynamic-import.js";

// Importing the user's TypeScript/JavaScript modules: pipeline modules (the runtime's loader) and task
// functions (the typescript task runner) go through the same import and the same error wording.

const TS_EXTENSIONS = /\.(m|c)?tsx?$/;

/**
 * Imports a module; TypeScript files go through tsx so no build step is needed. A TypeScript file in
 * a project without `"type": "module"` is compiled as CommonJS, and importing that from ESM wraps its
 * exports once more (`{ default: { __esModule, default, ... } }`): the inner namespace is returned.
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  if (TS_EXTENSIONS.test(path)) {
    const { tsImport } = await loadTsx(path);
    return unwrapInterop((await tsImport(url, import.meta.url)) as Record<string, unknown>);
  }
  return unwrapInterop(await dynamicImport(url));
}

/** tsx's ESM API; the Python wheel's command line leaves tsx out (scripts/build-python.mjs): say so. */
async function loadTsx(path: string): Promise<typeof import("tsx/esm/api")> {
  try {
    return await dynamicImport<typeof import("tsx/esm/api")>("tsx/esm/api");
  } catch (error) {
    throw new RunnableError("MODULE_LOAD_FAILED", `cannot load ${path}: TypeScript modules need tsx, which this runnable-ts does not carry`, {
      cause: error,
      hint: "the Python wheel's runnable runs Python, shell and notebook tasks; for TypeScript pipelines and tasks install runnable-ts' npm package in the project (npx runnable then runs them), or compile the module to .js",
    });
  }
}

function unwrapInterop(module: Record<string, unknown>): Record<string, unknown> {
  const inner = module.default as Record<string, unknown> | null | undefined;
  const wrapped = typeof inner === "object" && inner !== null && inner["__esModule"] === true;
  return wrapped ? { ...module, ...inner } : module;
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
