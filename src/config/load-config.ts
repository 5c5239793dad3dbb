import path from "node:path";
import type { z } from "zod";
import { formatProblem, RunnableError, type Problem } from "../core/errors.js";
import { readServiceEntry } from "./service-entry.js";
import { didYouMean } from "../core/suggest.js";
import { TASK_RUNNERS_KEY, readTaskRunners } from "./task-runners.js";
import { collectVariables } from "./variables.js";
import { problemAt } from "../source/positions.js";
import { mappingKeys, valueAt, type YamlSource, readYamlSource } from "./yaml-source.js";
import { isMapping } from "../core/values.js";

/** The services a configuration file chooses, in runnable's order. */
export const SERVICE_KEYS = ["executor", "run_log_store", "catalog", "secrets", "experiment_tracker"] as const;

/** One of the configuration file's service keys. */
export type ServiceKey = (typeof SERVICE_KEYS)[number];

/** The type used for a service nobody configured (run_log_store is file-system, not runnable's buffered). */
export const BUILTIN_SERVICE_DEFAULTS: Readonly<Record<ServiceKey, string>> = {
  executor: "local",
  run_log_store: "file-system",
  catalog: "file-system",
  secrets: "do-nothing",
  experiment_tracker: "do-nothing",
};

/** The file in the working directory whose `defaults:` block fills services the config file lacks. */
export const DEFAULTS_FILE = "runnable-config.yaml";

/** Environment variables naming the configuration file when none is given explicitly (first set wins). */
export const CONFIG_FILE_ENV = ["RUNNABLE_CONFIGURATION_FILE", "runnable_CONFIGURATION_FILE"] as const;

/** Inputs of {@link loadServicesConfig}. */
export interface LoadServicesConfigOptions {
  /** Explicit configuration file (e.g. CLI `-c`), relative to `cwd`; wins over the environment. */
  file?: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Config schema of every known type, per service (and per task runner type under `task_runners`). */
  known: Readonly<Record<ServiceKey, Readonly<Record<string, z.ZodType>>>> & { task_runners?: Readonly<Record<string, z.ZodType>> };
}

/** Top-level keys of a configuration file: the services, then the task runners' settings. */
const CONFIG_KEYS: readonly string[] = [...SERVICE_KEYS, TASK_RUNNERS_KEY];

/** Where a service's choice came from. */
export type ServiceSource = "file" | "runnable-config.yaml" | "default";

/** One service's type and its config as parsed by the type's schema. */
export interface LoadedService {
  type: string;
  config: unknown;
  source: ServiceSource;
}

/** The resolved services configuration. */
export interface LoadedConfig {
  /** The configuration file as given (explicitly or by env), or null when none was used. */
  file: string | null;
  services: Record<ServiceKey, LoadedService>;
  /** Variables from `RUNNABLE_VAR_*` / `runnable_VAR_*` env vars. */
  variables: Record<string, string>;
  /** Settings per task runner type (`task_runners:`), parsed by each runner's schema; absent types are not listed. */
  taskRunners: Record<string, unknown>;
}

/** The configuration file to read: explicit > RUNNABLE_CONFIGURATION_FILE > runnable_CONFIGURATION_FILE > none. */
export function configFileFrom(file: string | undefined, env: Readonly<Record<string, string | undefined>>): string | null {
  if (file !== undefined && file !== "") return file;
  for (const name of CONFIG_FILE_ENV) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return null;
}

function topLevelProblems(source: YamlSource, allowed: readonly string[], explain: (key: string) => string): Problem[] {
  if (source.value === null || source.value === undefined) return [];
  if (!isMapping(source.value)) {
    return [problemAt(source, [], `${source.file} must be a mapping of services (${SERVICE_KEYS.join(", ")})`, "value")];
  }
  return (mappingKeys(source, []) ?? []).filter((key) => !allowed.includes(key)).map((key) => problemAt(source, [key], explain(key)));
}

function mainExplain(key: string): string {
  if (key === "defaults") return `"defaults" is only read from ${DEFAULTS_FILE} in the working directory; write the services at the top level here`;
  return `unknown key "${key}"; known keys: ${CONFIG_KEYS.join(", ")}.${didYouMean(key, CONFIG_KEYS)}`;
}

function defaultsProblems(source: YamlSource, alsoServices: boolean): Problem[] {
  const allowed = alsoServices ? ["defaults", ...CONFIG_KEYS] : ["defaults"];
  const problems = topLevelProblems(source, allowed, (key) =>
    alsoServices ? mainExplain(key) : `unknown key "${key}" in ${DEFAULTS_FILE}: only "defaults" is read from it.${didYouMean(key, ["defaults"])}`,
  );
  const block = valueAt(source, ["defaults"]);
  if (block === undefined || block === null) return problems;
  if (!isMapping(block)) return [...problems, problemAt(source, ["defaults"], `"defaults" must be a mapping of services (${SERVICE_KEYS.join(", ")})`)];
  for (const key of mappingKeys(source, ["defaults"]) ?? []) {
    if (CONFIG_KEYS.includes(key)) continue;
    problems.push(problemAt(source, ["defaults", key], `unknown key "defaults.${key}"; known keys: ${CONFIG_KEYS.join(", ")}.${didYouMean(key, CONFIG_KEYS)}`));
  }
  return problems;
}

function builtinDefault(service: ServiceKey, schemas: Readonly<Record<string, z.ZodType>>): { choice?: LoadedService; problems: Problem[] } {
  const type = BUILTIN_SERVICE_DEFAULTS[service];
  const schema = schemas[type];
  if (!schema) {
    const known = Object.keys(schemas).join(", ") || "none";
    return { problems: [{ message: `the default ${service} type "${type}" is not available; choose one of: ${known}`, path: service }] };
  }
  const parsed = schema.safeParse({});
  if (!parsed.success) {
    return { problems: [{ message: `the default ${service} type "${type}" needs a config: ${parsed.error.issues[0]?.message}`, path: service }] };
  }
  return { choice: { type, config: parsed.data, source: "default" }, problems: [] };
}

/** Where each service's entry is: the config file, the defaults file's `defaults:` block, or nowhere. */
function entryLocation(service: string, main: YamlSource | null, defaults: YamlSource | null) {
  if (main && isMapping(main.value) && Object.hasOwn(main.value, service)) {
    return { source: main, path: [service], from: "file" as const };
  }
  const block = defaults ? valueAt(defaults, ["defaults"]) : undefined;
  if (defaults && isMapping(block) && Object.hasOwn(block, service)) {
    return { source: defaults, path: ["defaults", service], from: "runnable-config.yaml" as const };
  }
  return undefined;
}

/**
 * Finds, reads and validates the services configuration: config file, then the `defaults:` of
 * runnable-config.yaml, then built-in defaults. Every problem is reported at once (CONFIG_INVALID).
 */
export async function loadServicesConfig(options: LoadServicesConfigOptions): Promise<LoadedConfig> {
  const file = configFileFrom(options.file, options.env);
  const mainPath = file === null ? null : path.resolve(options.cwd, file);
  const defaultsPath = path.resolve(options.cwd, DEFAULTS_FILE);
  const same = mainPath === defaultsPath;
  const main = mainPath === null || file === null ? null : await readYamlSource(mainPath, file);
  const defaults = same ? main : await readYamlSource(defaultsPath, DEFAULTS_FILE, true);
  const problems: Problem[] = [];
  if (main && !same) problems.push(...topLevelProblems(main, CONFIG_KEYS, mainExplain));
  if (defaults) problems.push(...defaultsProblems(defaults, same));

  const variables = collectVariables(options.env);
  const services: Partial<Record<ServiceKey, LoadedService>> = {};
  for (const service of SERVICE_KEYS) {
    const schemas = options.known[service] ?? {};
    const location = entryLocation(service, main, defaults);
    const result = location
      ? readServiceEntry({ service, source: location.source, path: location.path, schemas, variables: service === "executor" ? variables : null })
      : builtinDefault(service, schemas);
    problems.push(...result.problems);
    if (result.choice) services[service] = { type: result.choice.type, config: result.choice.config, source: location?.from ?? "default" };
  }
  const runnersAt = entryLocation(TASK_RUNNERS_KEY, main, defaults);
  const runners = runnersAt ? readTaskRunners(runnersAt.source, runnersAt.path, options.known.task_runners ?? {}) : { configs: {}, problems: [] };
  problems.push(...runners.problems);
  if (problems.length > 0) {
    throw new RunnableError("CONFIG_INVALID", `the services configuration is invalid:\n${problems.map(formatProblem).join("\n")}`, { problems });
  }
  return { file, services: services as Record<ServiceKey, LoadedService>, variables, taskRunners: runners.configs };
}
