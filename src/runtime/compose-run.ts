import { resolve } from "node:path";
import { RunnableError, formatProblem, isRunnableError, messageOf, type Problem } from "../core/errors.js";
import type { Graph } from "../core/graph.js";
import type { CodeIdentity } from "../core/run-log.js";
import { isStopReason } from "../core/stop.js";
import { nowMicros } from "../core/time.js";
import { type LoadedConfig, SERVICE_KEYS, loadServicesConfig } from "../config/load-config.js";
import type { RunEvent, RunStop, Services } from "../engine/services.js";
import type { LocalFolder, PluginContext } from "../ports/plugin.js";
import type { TaskRunner } from "../ports/task-runner.js";
import { builtinRegistry } from "./builtins.js";
import { checkRunnable } from "./check-graph.js";
import { createServiceSet, createTaskRunners, knownServiceSchemas, type ServiceSetup } from "./compose-services.js";
import { gitCodeIdentity } from "./git-identity.js";
import { applyFindings, integrationFindings } from "./integrations.js";
import { checkLocalFolders } from "./local-folders.js";
import { cookieFamily, lastPid, sweepProcesses } from "../io/process-sweep.js";
import { createProcessWatchdog } from "./process-watchdog.js";
import type { Registry } from "./registry.js";
import { createScratch, sweepScratch } from "./scratch.js";

/** Default time a stopped task process gets between the stop signal and SIGKILL. */
export const DEFAULT_STOP_GRACE_MS = 3_000;

/** What composing a run's services needs (shared by new runs, re-runs and retries). */
export interface ComposeOptions {
  configFile?: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  registry?: Registry;
  onEvent?: (event: RunEvent) => void;
  warn: (message: string) => void;
  stopGraceMs?: number;
}

/** The services of a run with the config they came from; `dispose` ends what they started. */
export interface ComposedRun {
  config: LoadedConfig;
  services: Services;
  /** The services with their definitions and configs (what the plug-ins' rules are evaluated on). */
  setup: ServiceSetup;
  runners: Map<string, TaskRunner>;
  /** Local folders the services write under (checked before a run starts). */
  folders: LocalFolder[];
  dispose(): Promise<void>;
}

/** Loads the services config and creates every service and task runner, each once; nothing is written. */
export async function composeRun(options: ComposeOptions): Promise<ComposedRun> {
  const { cwd, env, warn } = options;
  const registry = options.registry ?? builtinRegistry();
  const known = knownServiceSchemas(registry);
  const config = await loadServicesConfig({ ...(options.configFile ? { file: options.configFile } : {}), env, cwd, known });
  for (const warning of config.warnings ?? []) warn(formatProblem(warning));
  const context: PluginContext = { cwd, env, warn };
  const setup = await createServiceSet(registry, config.services, context, (kind) => {
    const { source } = config.services[kind];
    return source === "default" ? undefined : `the ${kind} configured in ${source === "file" ? config.file : `${source} (defaults)`}`;
  });
  const { executor, run_log_store: runLogStore, catalog, secrets, experiment_tracker: tracker } = setup.peers.services;
  const runners = await createTaskRunners(registry, context, config.taskRunners);
  await sweepScratch();
  const watchdog = createProcessWatchdog();
  const firstPid = lastPid();
  // The watchdog removes the scratch area (secrets, parameters) also when this process is killed.
  const scratch = createScratch((folder) => watchdog.removeAtExit(folder));
  let identity: Promise<CodeIdentity> | undefined;
  const services: Services = {
    executor,
    runLogStore,
    catalog,
    secrets,
    tracker,
    taskRunner: (commandType) => runners.get(commandType),
    reducer: (expression) => [...new Set(runners.values())].find((runner) => runner.reduces?.(expression)),
    codeIdentity: () => (identity ??= gitCodeIdentity(cwd)),
    ...imageIdentityFrom(env),
    processes: watchdog,
    scratchDir: () => scratch.attemptDir(),
    releaseScratchDir: (dir) => scratch.releaseDir(dir),
    now: nowMicros,
    stopGraceMs: options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
    warn,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
  const dispose = async (): Promise<void> => {
    await Promise.all([...new Set(runners.values())].map((runner) => runner.dispose?.()));
    // No process a task started outlives the run: what left its group (setsid) is found by the run's cookie.
    await sweepProcesses({ match: cookieFamily(watchdog.cookie), sincePid: firstPid });
    watchdog.close();
    await scratch.dispose();
    await catalog.dispose?.().catch((error: unknown) => warn(`could not clean up the catalog's temp files: ${messageOf(error)}`));
  };
  return { config, services, setup, runners, folders: localFoldersOf(setup, config), dispose };
}

/** The local folders each configured service declares, named by their setting and where it was set. */
function localFoldersOf(setup: ServiceSetup, config: LoadedConfig): LocalFolder[] {
  return SERVICE_KEYS.flatMap((key) => {
    const chosen = config.services[key];
    const where = chosen.source === "file" ? `in ${config.file}` : chosen.source === "default" ? "the default" : `in ${chosen.source}`;
    return setup.peers.folders[key].map((folder) => ({ ...folder, setting: `${folder.setting} (${where})` }));
  });
}

/**
 * The identity of the container image a step runs in, from what container executors set in its
 * environment (`RUNNABLE_IMAGE_ID`: the local image id; `RUNNABLE_IMAGE`: the image reference).
 */
function imageIdentityFrom(env: Readonly<Record<string, string | undefined>>): { imageIdentity?: CodeIdentity } {
  const id = env["RUNNABLE_IMAGE_ID"] || env["RUNNABLE_IMAGE"];
  if (!id) return {};
  const url = env["RUNNABLE_IMAGE_ID"] ? "local docker host" : "image registry";
  const message = env["RUNNABLE_IMAGE"] ? `image ${env["RUNNABLE_IMAGE"]}` : "";
  return {
    imageIdentity: {
      code_identifier: id,
      code_identifier_type: "docker",
      code_identifier_dependable: true,
      code_identifier_url: url,
      code_identifier_message: message,
    },
  };
}

/**
 * Checks before anything runs (every problem at once): the executor × service rules (errors refuse,
 * warnings are shown unless `quiet`), then the graph against the runners and the executor.
 */
export async function checkBeforeRun(graph: Graph, composed: ComposedRun, cwd: string, options: { quiet?: boolean } = {}): Promise<void> {
  const { services } = composed;
  applyFindings(integrationFindings(composed.setup), services.executor.type, services.warn, options.quiet);
  const problems: Problem[] = [...(await checkRunnable(graph, composed.runners, cwd)), ...(services.executor.check?.(graph) ?? [])];
  if (problems.length > 0) {
    throw new RunnableError("PIPELINE_INVALID", `the pipeline cannot run:\n${problems.map(formatProblem).join("\n")}`, {
      problems,
      hint: "fix each step listed (file:line:col); `runnable validate <file>` makes these checks without running anything",
    });
  }
  // A rendering executor runs everything elsewhere: its folders are the pods', not this machine's.
  if (services.executor.capabilities.placement !== "rendered") {
    await checkLocalFolders(composed.folders);
    await checkSecretsReadable(composed);
  }
  await services.executor.prepare?.(graph);
}

/** A secrets service that lists its values (a dotenv file) is read now: a missing or malformed file is refused before the run, not when a step asks. */
async function checkSecretsReadable(composed: ComposedRun): Promise<void> {
  const { secrets } = composed.services;
  try {
    await secrets.knownValues?.();
  } catch (error) {
    if (!isRunnableError(error)) throw error;
    const chosen = composed.config.services.secrets;
    const where = chosen.source === "file" ? ` (the secrets service configured in ${composed.config.file})` : "";
    throw new RunnableError(error.code, `${error.message}${where}`, { cause: error, problems: error.problems, ...(error.hint ? { hint: error.hint } : {}) });
  }
}

/** A run's stop controls from the caller's: the CLI's RunStop, or an SDK AbortSignal (never aborting `force`). */
export function runStopFrom(stop: RunStop | undefined, signal: AbortSignal | undefined): RunStop {
  if (stop) return stop;
  const controller = new AbortController();
  if (signal) {
    const forward = (): void => {
      controller.abort(isStopReason(signal.reason) ? signal.reason : { kind: "request", message: "the caller aborted the run" });
    };
    if (signal.aborted) forward();
    else signal.addEventListener("abort", forward, { once: true });
  }
  return { signal: controller.signal, force: new AbortController().signal };
}

/** `cwd` resolved, `env` and `warn` defaulted, as every runtime entry point needs them. */
export function baseOptions(options: { cwd?: string; env?: Readonly<Record<string, string | undefined>>; warn?: (message: string) => void }) {
  return {
    cwd: resolve(options.cwd ?? process.cwd()),
    env: options.env ?? process.env,
    warn: options.warn ?? ((message: string) => void process.stderr.write(`warning: ${message}\n`)),
  };
}
