import type { z } from "zod";
import { RunnableError } from "../core/errors.js";
import { SERVICE_KEYS, type ServiceKey } from "../config/load-config.js";
import { didYouMean } from "../core/suggest.js";
import type { ServiceRecord } from "../core/run-log.js";
import type { PluginContext, PluginInstances, PluginKind } from "../ports/plugin.js";
import type { TaskRunner } from "../ports/task-runner.js";
import type { Registry } from "./registry.js";

export { SERVICE_KEYS, type ServiceKey };

/** A service choice after config loading. */
export interface ServiceChoice {
  type: string;
  config: unknown;
}

/** The config schema of every registered type, per service key and for `task_runners` (what the config loader validates against). */
export function knownServiceSchemas(registry: Registry): Record<ServiceKey | "task_runners", Record<string, z.ZodType>> {
  // Getters: a schema is built only when a config names its type (see definePlugin).
  const schemas = (kind: ServiceKey | "task") => {
    const byType: Record<string, z.ZodType> = {};
    for (const d of registry.all(kind)) Object.defineProperty(byType, d.type, { enumerable: true, get: () => d.configSchema as z.ZodType });
    return byType;
  };
  const services = Object.fromEntries(SERVICE_KEYS.map((key) => [key, schemas(key)])) as Record<ServiceKey, Record<string, z.ZodType>>;
  return { ...services, task_runners: schemas("task") };
}

/** Creates one service from its validated choice. */
export async function createService<K extends ServiceKey>(
  registry: Registry,
  kind: K,
  choice: ServiceChoice,
  context: PluginContext,
): Promise<PluginInstances[K]> {
  const definition = registry.find(kind, choice.type);
  if (!definition) {
    const known = registry.all(kind).map((d) => d.type);
    throw new RunnableError("CONFIG_INVALID", `unknown ${kind} type "${choice.type}"; known types: ${known.join(", ")}.${didYouMean(choice.type, known)}`);
  }
  return definition.create(choice.config, context) as Promise<PluginInstances[K]>;
}

/** Creates every task runner (with its `task_runners` settings, if any) and indexes them by the command types they serve. */
export async function createTaskRunners(
  registry: Registry,
  context: PluginContext,
  configs: Readonly<Record<string, unknown>> = {},
): Promise<Map<string, TaskRunner>> {
  const runners = new Map<string, TaskRunner>();
  for (const definition of registry.all("task")) {
    const config = configs[definition.type] ?? definition.configSchema.parse({});
    const runner = await definition.create(config, context);
    for (const commandType of runner.commandTypes) runners.set(commandType, runner);
  }
  return runners;
}

/** The `run_config` record of a service: runnable's `service_name`/`service_type` plus its config. */
export function serviceRecord(kind: PluginKind, service: { type: string; recordedConfig: Record<string, unknown> }): ServiceRecord {
  const serviceType = kind === "secrets" ? "secrets" : kind;
  return { service_name: service.type, service_type: serviceType, ...service.recordedConfig };
}
