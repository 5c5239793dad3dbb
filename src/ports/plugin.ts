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
   * The other services of the run, once they are all created (for executors that hand them to another
   * process: what a container must mount, which credentials it needs). Absent outside a run.
   */
  peers?: () => Peers;
}

/** A folder on this machine a service writes under (checked before a run starts: it must be a writable directory with space). */
export interface LocalFolder {
  /** Absolute path. */
  path: string;
  /** The config setting it comes from, for messages (e.g. `run_log_store.config.log_folder`). */
  setting: string;
  /** The setting's value as configured (a relative path stays relative: a container or a pod resolves it in its own working directory). */
  value: string;
}

/** The services of one run, by their config key. */
export interface ServiceSet {
  executor: Executor;
  run_log_store: RunLogStore;
  catalog: Catalog;
  secrets: Secrets;
  experiment_tracker: ExperimentTracker;
}

/** A service's config key (`executor`, `run_log_store`, ...). */
export type ServiceKind = keyof ServiceSet;

/**
 * What a plug-in may know of the other services of its run: each one's instance — its traits or
 * capabilities; its `type` only to name it in messages — and the local folders it declared.
 */
export interface Peers {
  services: ServiceSet;
  folders: Readonly<Record<ServiceKind, readonly LocalFolder[]>>;
}

/** One finding of a plug-in's rules: `error` refuses the combination, `warning` is shown, `info` is for verbose output only. */
export interface IntegrationFinding {
  level: "error" | "warning" | "info";
  /** The service the finding is about. */
  service: Exclude<ServiceKind, "executor">;
  message: string;
}

/**
 * Rules a plug-in writes about the services it works with, evaluated before a run starts against their
 * traits, capabilities and folders (never their type names).
 */
export type PluginRules<K extends PluginKind, C> = (self: PluginInstances[K], peers: Peers, config: C) => IntegrationFinding[];

/** How to run a pipeline script of a task kind's language (a Python SDK script), which hands its pipeline over when it runs. */
export interface ScriptLaunch {
  command: string;
  args: string[];
  /** Variables added to the launching environment. */
  env: Record<string, string>;
  /** What the command is, for messages (e.g. `Python interpreter "python3"`). */
  what: string;
  /** What to do when the command is not found. */
  missingHint: string;
}

/** Pipelines written as scripts in a task kind's language (e.g. the Python SDK): the file extensions and how to run such a file. */
export interface PipelineScripts<C> {
  /** Lower-case file extensions with the dot (e.g. `.py`). */
  extensions: readonly string[];
  launch: (file: string, config: C, context: Pick<PluginContext, "cwd" | "env">) => Promise<ScriptLaunch>;
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
  /** Findings about this plug-in with the others of a run (see {@link PluginRules}); a method, so definitions of every kind fit `AnyPluginDefinition`. */
  rules?(self: PluginInstances[K], peers: Peers, config: C): IntegrationFinding[];
  /** Task plug-ins only: pipelines written as scripts of their language (see {@link PipelineScripts}). */
  pipelineScripts?: PipelineScripts<C>;
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
  rules?: PluginRules<K, z.output<S>>;
  pipelineScripts?: PipelineScripts<z.output<S>>;
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
