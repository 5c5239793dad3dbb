import { resolve } from "node:path";
import { type LoadedConfig, loadServicesConfig } from "../config/load-config.js";
import { formatProblem } from "../core/errors.js";
import type { Catalog } from "../ports/catalog.js";
import type { PluginContext, ServiceKind, ServiceSet } from "../ports/plugin.js";
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

/** The run log store the services config chooses (for `runs list` / `runs show`). */
export async function openRunLogStore(options: OpenOptions): Promise<RunLogStore> {
  return (await openServices(options, ["run_log_store"])).services.run_log_store;
}

/** The run log store and the catalog the services config chooses (for `runs delete`, `runnable ui`). */
export async function openStoreAndCatalog(options: OpenOptions): Promise<{ store: RunLogStore; catalog: Catalog }> {
  const { services } = await openServices(options, ["run_log_store", "catalog"]);
  return { store: services.run_log_store, catalog: services.catalog };
}

/**
 * Some of the services the config chooses, without the others (no task runners, no peers): what a
 * command that runs nothing needs, or what finding a stored run needs before its own config is known.
 */
export async function openServices<K extends ServiceKind>(
  options: OpenOptions,
  kinds: readonly K[],
): Promise<{ config: LoadedConfig; services: Pick<ServiceSet, K> }> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const registry = options.registry ?? builtinRegistry();
  const config = await loadServicesConfig({ ...(options.configFile ? { file: options.configFile } : {}), env, cwd, known: knownServiceSchemas(registry) });
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  for (const warning of config.warnings ?? []) warn(formatProblem(warning));
  const context: PluginContext = { cwd, env, warn };
  const created = await Promise.all(kinds.map((kind) => createService(registry, kind, config.services[kind], context)));
  return { config, services: Object.fromEntries(kinds.map((kind, i) => [kind, created[i]])) as unknown as Pick<ServiceSet, K> };
}
