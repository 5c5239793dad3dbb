import path from "node:path";
import { z } from "zod";
import { formatProblem, RunnableError, type Problem } from "../core/errors.js";
import { readServiceEntry, type ServiceEntryResult } from "./service-entry.js";
import { didYouMean } from "../core/suggest.js";
import { TASK_RUNNERS_KEY, readTaskRunners } from "./task-runners.js";
import { collectVariables } from "./variables.js";
import { problemAt } from "../source/positions.js";
import { mappingKeys, valueAt, type YamlPath, type YamlSource, readYamlSource } from "./yaml-source.js";
import { isMapping } from "../core/values.js";
import { CONFIG_KEYS, type ConfigEntry, entryKeyIn, JOB_EXECUTOR_KEY, KNOWN_KEYS_TEXT, SERVICE_KEYS, type ServiceKey } from "./service-keys.js";

export { SERVICE_KEYS, type ServiceKey };

/** The type used for a service nobody configured (run_log_store is file-system, not runnable's buffered). */
export const BUILTIN_SERVICE_DEFAULTS: Readonly<Record<ServiceKey, string>> = {
  executor: "local",
  run_log_store: "file-system",
  catalog: "file-system",
  secrets: "do-nothing",
  experiment_tracker: "do-nothing",
};

/**
 * The services of a job: the config's `job-executor` (runnable 0.50's key; its types are the executors')
 * in place of the pipeline executor, or the built-in default executor when the config names none.
 */
export function jobConfig(config: LoadedConfig, executorSchemas: Readonly<Record<string, z.ZodType>>): LoadedConfig {
  const type = BUILTIN_SERVICE_DEFAULTS.executor;
  const executor: LoadedService = config.jobExecutor ?? { type, config: executorSchemas[type]?.parse({}) ?? {}, source: "default" };
  return { ...config, services: { ...config.services, executor } };
}

/**
 * The file in the working directory whose `defaults:` block fills services the config file lacks
 * (February-2024 runnable), or which is the config file itself when none is given (runnable 0.50).
 */
export const DEFAULTS_FILE = "runnable-config.yaml";

/** Environment variables naming the configuration file when none is given explicitly (first set wins). */
export const CONFIG_FILE_ENV = ["RUNNABLE_CONFIGURATION_FILE", "runnable_CONFIGURATION_FILE"] as const;

/** Inputs of {@link loadServicesConfig}. */
export interface LoadServicesConfigOptions {
  /** Explicit configuration file (e.g. CLI `-c`), relative to `cwd`; wins over the environment. */
  file?: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /**
   * Config schema of every known type, per service (and per task runner type under `task_runners`);
   * `job_executor` when job executors are registered (without them any type is kept, its config a mapping).
   */
  known: Readonly<Record<ServiceKey, Readonly<Record<string, z.ZodType>>>> & {
    task_runners?: Readonly<Record<string, z.ZodType>>;
    job_executor?: Readonly<Record<string, z.ZodType>>;
  };
}

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
  /** The configuration file as given (explicitly or by env), runnable-config.yaml when it is the config itself, or null when none was used. */
  file: string | null;
  services: Record<ServiceKey, LoadedService>;
  /** runnable 0.50's `job-executor` entry, when the config has one (jobs run with it). */
  jobExecutor?: LoadedService;
  /** Variables from `RUNNABLE_VAR_*` / `runnable_VAR_*` env vars. */
  variables: Record<string, string>;
  /** Settings per task runner type (`task_runners:`), parsed by each runner's schema; absent types are not listed. */
  taskRunners: Record<string, unknown>;
  /** What was accepted but deserves a word, e.g. `${name}` placeholders kept as written (absent when there is nothing). */
  warnings?: Problem[];
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
  return `unknown key "${key}"; known keys: ${KNOWN_KEYS_TEXT}.${didYouMean(key, CONFIG_KEYS)}`;
}

function defaultsProblems(source: YamlSource): Problem[] {
  const allowed = ["defaults", ...CONFIG_KEYS];
  const problems = topLevelProblems(
    source,
    allowed,
    (key) => `unknown key "${key}" in ${DEFAULTS_FILE}: it holds a "defaults:" block of services, or the services themselves.${didYouMean(key, allowed)}`,
  );
  const block = valueAt(source, ["defaults"]);
  if (block === undefined || block === null) return problems;
  if (!isMapping(block)) return [...problems, problemAt(source, ["defaults"], `"defaults" must be a mapping of services (${SERVICE_KEYS.join(", ")})`)];
  for (const key of mappingKeys(source, ["defaults"]) ?? []) {
    if (CONFIG_KEYS.includes(key)) continue;
    problems.push(problemAt(source, ["defaults", key], `unknown key "defaults.${key}"; known keys: ${KNOWN_KEYS_TEXT}.${didYouMean(key, CONFIG_KEYS)}`));
  }
  return problems;
}

function builtinDefault(service: ServiceKey, schemas: Readonly<Record<string, z.ZodType>>): ServiceEntryResult {
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
  return { choice: { type, config: parsed.data }, problems: [] };
}

/** Where an entry is: the config file, the defaults file's `defaults:` block, or nowhere (two spellings of one entry are problems). */
function entryLocation(entry: ConfigEntry, files: ConfigFiles, problems: Problem[]) {
  const { main, defaults } = files;
  const inMain = main ? entryKeyIn(main, [], entry) : { problems: [] };
  const inDefaults = defaults ? entryKeyIn(defaults, ["defaults"], entry) : { problems: [] };
  problems.push(...inMain.problems, ...inDefaults.problems);
  if (main && inMain.key !== undefined) return { source: main, path: [inMain.key] as YamlPath, from: "file" as const };
  if (defaults && inDefaults.key !== undefined)
    return { source: defaults, path: ["defaults", inDefaults.key] as YamlPath, from: "runnable-config.yaml" as const };
  return undefined;
}

/** The files a configuration is read from: the config file (or none) and runnable-config.yaml (possibly the same). */
interface ConfigFiles {
  file: string | null;
  main: YamlSource | null;
  defaults: YamlSource | null;
}

/** Reads the config file and runnable-config.yaml; without a config file, a runnable-config.yaml with services at its top is the config (0.50). */
async function readConfigFiles(options: LoadServicesConfigOptions): Promise<ConfigFiles> {
  const file = configFileFrom(options.file, options.env);
  const defaultsPath = path.resolve(options.cwd, DEFAULTS_FILE);
  if (file === null) {
    const defaults = await readYamlSource(defaultsPath, DEFAULTS_FILE, true);
    const servicesAtTop = (defaults && mappingKeys(defaults, [])?.some((key) => CONFIG_KEYS.includes(key))) ?? false;
    return servicesAtTop ? { file: DEFAULTS_FILE, main: defaults, defaults } : { file, main: null, defaults };
  }
  const mainPath = path.resolve(options.cwd, file);
  const main = await readYamlSource(mainPath, file);
  const defaults = mainPath === defaultsPath ? main : await readYamlSource(defaultsPath, DEFAULTS_FILE, true);
  return { file, main, defaults };
}

/** Each service's entry checked (variables substituted), or its built-in default. */
function readServices(
  options: LoadServicesConfigOptions,
  files: ConfigFiles,
  variables: Record<string, string>,
  out: { problems: Problem[]; warnings: Problem[] },
) {
  const services: Partial<Record<ServiceKey, LoadedService>> = {};
  for (const service of SERVICE_KEYS) {
    const schemas = options.known[service] ?? {};
    const location = entryLocation(service, files, out.problems);
    const result = location
      ? readServiceEntry({ service, source: location.source, path: location.path, schemas, variables })
      : builtinDefault(service, schemas);
    out.problems.push(...result.problems);
    out.warnings.push(...(result.warnings ?? []));
    if (result.choice) services[service] = { type: result.choice.type, config: result.choice.config, source: location?.from ?? "default" };
  }
  return services as Record<ServiceKey, LoadedService>;
}

/** runnable 0.50's `job-executor`: checked against the registered job executors, or (none registered) kept with its config as a mapping. */
function readJobExecutor(
  options: LoadServicesConfigOptions,
  files: ConfigFiles,
  variables: Record<string, string>,
  out: { problems: Problem[]; warnings: Problem[] },
) {
  const location = entryLocation(JOB_EXECUTOR_KEY, files, out.problems);
  if (!location) return undefined;
  const registered = options.known.job_executor;
  const result = readServiceEntry({
    service: JOB_EXECUTOR_KEY,
    source: location.source,
    path: location.path,
    schemas: registered ?? {},
    variables,
    ...(registered ? {} : { anyType: ANY_JOB_EXECUTOR_CONFIG }),
  });
  out.problems.push(...result.problems);
  out.warnings.push(...(result.warnings ?? []));
  return result.choice ? { type: result.choice.type, config: result.choice.config, source: location.from } : undefined;
}

/** The config of a job executor of a type not registered here: any mapping. */
const ANY_JOB_EXECUTOR_CONFIG = z.record(z.string(), z.unknown());

/**
 * Finds, reads and validates the services configuration: the config file (without one, a
 * runnable-config.yaml with services at its top), then the `defaults:` of runnable-config.yaml, then
 * built-in defaults. Every problem is reported at once (CONFIG_INVALID); what is accepted with a word
 * of warning is in `warnings`.
 */
export async function loadServicesConfig(options: LoadServicesConfigOptions): Promise<LoadedConfig> {
  const files = await readConfigFiles(options);
  const { main, defaults } = files;
  const out = { problems: [] as Problem[], warnings: [] as Problem[] };
  if (main && main !== defaults) out.problems.push(...topLevelProblems(main, CONFIG_KEYS, mainExplain));
  if (defaults) out.problems.push(...defaultsProblems(defaults));
  const variables = collectVariables(options.env);
  const services = readServices(options, files, variables, out);
  const jobExecutor = readJobExecutor(options, files, variables, out);
  const runnersAt = entryLocation(TASK_RUNNERS_KEY as ConfigEntry, files, out.problems);
  const runners = runnersAt ? readTaskRunners(runnersAt.source, runnersAt.path, options.known.task_runners ?? {}) : { configs: {}, problems: [] };
  out.problems.push(...runners.problems);
  if (out.problems.length > 0) {
    const { problems } = out;
    throw new RunnableError("CONFIG_INVALID", `the services configuration is invalid:\n${problems.map(formatProblem).join("\n")}`, { problems });
  }
  return {
    file: files.file,
    services,
    ...(jobExecutor ? { jobExecutor } : {}),
    variables,
    taskRunners: runners.configs,
    ...(out.warnings.length > 0 ? { warnings: out.warnings } : {}),
  };
}
