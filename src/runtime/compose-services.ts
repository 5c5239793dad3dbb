import type { z } from "zod";
import { RunnableError, isRunnableError } from "../core/errors.js";
import { SERVICE_KEYS, type ServiceKey } from "../config/load-config.js";
import { didYouMean } from "../core/suggest.js";
import type { ServiceRecord } from "../core/run-log.js";
import type { Peers, PluginContext, PluginDefinition, PluginInstances, PluginKind, ServiceKind } from "../ports/plugin.js";
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

/** The definition of a service type; an unknown type is a CONFIG_INVALID error listing the known ones. */
export function definitionOf<K extends ServiceKey>(registry: Registry, kind: K, type: string): PluginDefinition<K, unknown> {
  const definition = registry.find(kind, type);
  if (!definition) {
    const known = registry.all(kind).map((d) => d.type);
    throw new RunnableError("CONFIG_INVALID", `unknown ${kind} type "${type}"; known types: ${known.join(", ")}.${didYouMean(type, known)}`);
  }
  return definition;
}

/** Creates one service from its validated choice. */
export async function createService<K extends ServiceKey>(
  registry: Registry,
  kind: K,
  choice: ServiceChoice,
  context: PluginContext,
): Promise<PluginInstances[K]> {
  return definitionOf(registry, kind, choice.type).create(choice.config, context) as Promise<PluginInstances[K]>;
}

/** Every service of a run, created once, with what each knows of the others once all exist ({@link Peers}). */
export interface ServiceSetup {
  peers: Peers;
  /** The definitions the services were created from (their rules are evaluated before a run). */
  definitions: { readonly [K in ServiceKind]: PluginDefinition<K, unknown> };
  /** Each service's validated config. */
  configs: Readonly<Record<ServiceKind, unknown>>;
}

/**
 * Creates the five services of a run from their validated choices (concurrently). Each plug-in's
 * context can reach the others (`context.peers`) once they all exist.
 */
export async function createServiceSet(
  registry: Registry,
  chosen: Readonly<Record<ServiceKind, ServiceChoice>>,
  base: PluginContext,
  placeOf: (kind: ServiceKind) => string | undefined = () => undefined,
): Promise<ServiceSetup> {
  const definitions = Object.fromEntries(SERVICE_KEYS.map((kind) => [kind, definitionOf(registry, kind, chosen[kind].type)])) as ServiceSetup["definitions"];
  let peers: Peers | undefined;
  const context: PluginContext = {
    ...base,
    peers: () => {
      if (!peers) throw new RunnableError("INTERNAL", "a service asked for the run's other services before they were all created");
      return peers;
    },
  };
  const create = <K extends ServiceKind>(kind: K) =>
    (definitions[kind].create(chosen[kind].config, context) as Promise<PluginInstances[K]>).catch((error: unknown) => {
      throw placedError(error, placeOf(kind));
    });
  const [executor, run_log_store, catalog, secrets, experiment_tracker] = await Promise.all([
    create("executor"),
    create("run_log_store"),
    create("catalog"),
    create("secrets"),
    create("experiment_tracker"),
  ]);
  const folders = Object.fromEntries(SERVICE_KEYS.map((kind) => [kind, definitions[kind].localFolders?.(chosen[kind].config, context) ?? []]));
  peers = { services: { executor, run_log_store, catalog, secrets, experiment_tracker }, folders: folders as unknown as Peers["folders"] };
  const configs = Object.fromEntries(SERVICE_KEYS.map((kind) => [kind, chosen[kind].config])) as ServiceSetup["configs"];
  return { peers, definitions, configs };
}

/** A plug-in's refusal of its config, naming where that config was written (`(catalog in config.yaml)`). */
function placedError(error: unknown, place: string | undefined): unknown {
  if (!place || !isRunnableError(error) || error.code !== "CONFIG_INVALID" || error.message.includes(place)) return error;
  return new RunnableError(error.code, `${error.message} (${place})`, { cause: error, problems: error.problems, ...(error.hint ? { hint: error.hint } : {}) });
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
