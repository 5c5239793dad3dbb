import { resolve } from "node:path";
import { loadServicesConfig } from "../config/load-config.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import { builtinRegistry } from "./builtins.js";
import { createService, knownServiceSchemas } from "./compose-services.js";
import type { Registry } from "./registry.js";

/** Opens the run log store the services config chooses (for `runs list` / `runs show`). */
export async function openRunLogStore(options: {
  configFile?: string;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  registry?: Registry;
  warn?: (message: string) => void;
}): Promise<RunLogStore> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const registry = options.registry ?? builtinRegistry();
  const known = knownServiceSchemas(registry);
  const config = await loadServicesConfig({ ...(options.configFile ? { file: options.configFile } : {}), env, cwd, known });
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  return createService(registry, "run_log_store", config.services.run_log_store, { cwd, env, warn });
}
