import type { z } from "zod";
import type { Catalog } from "./catalog.js";
import type { Executor } from "./executor.js";
import type { ExperimentTracker } from "./experiment-tracker.js";
import type { RunLogStore } from "./run-log-store.js";
import type { Secrets } from "./secrets.js";
import type { TaskRunner } from "./task-runner.js";

/** What each plug-in kind produces. */
export interface PluginInstances {
  executor: Executor;
  run_log_store: RunLogStore;
  catalog: Catalog;
  secrets: Secrets;
  experiment_tracker: ExperimentTracker;
  task: TaskRunner;
}

/** The plug-in kinds (the config file's service keys, plus task runners). */
export type PluginKind = keyof PluginInstances;

/** What every plug-in factory receives besides its config. */
export interface PluginContext {
  /** Working directory of the run (paths in configs are relative to it). */
  cwd: string;
  /** Environment of the launching process. */
  env: Readonly<Record<string, string | undefined>>;
  /** Emits a warning to the user (never fails the run). */
  warn: (message: string) => void;
  /**
   * The services the run uses, as configured (type and validated config): for executors that hand
   * them to another process (what a container must mount).
   */
  services?: Readonly<Record<string, { type: string; config: unknown }>>;
}

/** A folder on this machine a service writes under (checked before a run starts: it must be a writable directory with space). */
export interface LocalFolder {
  /** Absolute path. */
  path: string;
  /** The config setting it comes from, for messages (e.g. `run_log_store.config.log_folder`). */
  setting: string;
}

/** A plug-in: its kind, its `type` name, a cheap config schema and a (lazily loading) factory. */
export interface PluginDefinition<K extends PluginKind = PluginKind, C = unknown> {
  kind: K;
  type: string;
  /** One line for `--help` and error messages. */
  description: string;
  /** Validates the `config` mapping; strict (unknown keys are errors). */
  configSchema: z.ZodType<C>;
  create: (config: C, context: PluginContext) => Promise<PluginInstances[K]>;
  /** The local folders the service will write under, without creating anything. */
  localFolders?: (config: C, context: PluginContext) => LocalFolder[];
}

/**
 * Declares a plug-in and infers its config type from its schema. The schema may be given as a function
 * that builds it: it is then built on first use (once per definition), so that the CLI does not build
 * the schemas of plug-ins a run does not use.
 */
export function definePlugin<K extends PluginKind, S extends z.ZodType>(definition: {
  kind: K;
  type: string;
  description: string;
  configSchema: S | (() => S);
  create: (config: z.output<S>, context: PluginContext) => Promise<PluginInstances[K]>;
  localFolders?: (config: z.output<S>, context: PluginContext) => LocalFolder[];
}): PluginDefinition<K, z.output<S>> {
  const { configSchema, ...rest } = definition;
  if (typeof configSchema !== "function") return definition as unknown as PluginDefinition<K, z.output<S>>;
  let built: S | undefined;
  const lazy = { ...rest } as unknown as PluginDefinition<K, z.output<S>>;
  Object.defineProperty(lazy, "configSchema", { enumerable: true, get: () => (built ??= configSchema()) });
  return lazy;
}

/** Any plug-in definition (config type erased: `any`, as the config is only known to the plug-in). */
// biome-ignore lint/suspicious/noExplicitAny: the config type is erased on purpose; definitions with any config schema must be assignable here.
export type AnyPluginDefinition = PluginDefinition<PluginKind, any>;
