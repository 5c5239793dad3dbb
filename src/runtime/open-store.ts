import { resolve } from "node:path";
import { loadServicesConfig } from "../config/load-config.js";
import type { Catalog } from "../ports/catalog.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import { builtinRegistry } from "./builtins.js";
import { createService, knownServiceSchemas } from "./compose-services.js";
import type { Registry } from "./registry.js";

/** Where to find the services config (as the CLI gets it). */
export interface OpenOptions {
  configFile?: string;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  registry?: Registry;
  warn?: (message: string) => void;
}

/** Opens the run log store the services config chooses (for `runs list` / `runs show`). */
export async function openRunLogStore(options: OpenOptions): Promise<RunLogStore> {
  return (await openRunServices(options, false)).store;
}

/** The run log store and the catalog the services config chooses (for `runs delete`, `runnable ui`). */
export async function openStoreAndCatalog(options: OpenOptions): Promise<{ store: RunLogStore; catalog: Catalog }> {
  const opened = await openRunServices(options, true);
  return { store: opened.store, catalog: opened.catalog! };
}

async function openRunServices(options: OpenOptions, withCatalog: boolean): Promise<{ store: RunLogStore; catalog?: Catalog }> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const registry = options.registry ?? builtinRegistry();
  const known = knownServiceSchemas(registry);
  const config = await loadServicesConfig({ ...(options.configFile ? { file: options.configFile } : {}), env, cwd, known });
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const context = { cwd, env, warn };
  const store = await createService(registry, "run_log_store", config.services.run_log_store, context);
  if (!withCatalog) return { store };
  return { store, catalog: await createService(registry, "catalog", config.services.catalog, context) };
}
