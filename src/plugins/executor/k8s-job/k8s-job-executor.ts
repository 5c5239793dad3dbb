import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Problem, RunnableError, messageOf } from "../../../core/errors.js";
import { type Graph, allNodes } from "../../../core/graph.js";
import type { Executor, ExecutorCapabilities, RemoteStep, RemoteStepResult, RenderOutcome, RenderRequest } from "../../../ports/executor.js";
import type { Peers, PluginContext } from "../../../ports/plugin.js";
import { manifestYaml } from "../shared/manifest-yaml.js";
import { type JobManifestInput, type StoreFolder, cronJobManifest, jobManifest } from "./manifest.js";
import type { K8sJobConfig } from "./schema.js";
import { type K8sApi, connect, create, deleteJob, followJob, jobLogs, nextJobName, refusal } from "./submit.js";

/** Set in the pod: `step` (the pod runs the job's task of a run the submitter walks) or `job` (the pod runs a whole job: a CronJob's, or an applied manifest's). */
export const IN_POD_ENV = "RUNNABLE_K8S_POD";

/**
 * The `k8s-job` / `mini-k8s-job` job executors (runnable 0.50): the job's task runs in a pod of a
 * Kubernetes Job created through the API and followed to its end (placement `launched`: the run is
 * recorded here and by the pod in the shared store); with `mock` the manifest is written and printed
 * instead, with `schedule` a CronJob is created (placement `rendered`: nothing runs here). In the pod
 * the same executor runs the task in place.
 */
export function createK8sJobExecutor(type: string, config: K8sJobConfig, context: PluginContext): Executor {
  const inPod = context.env[IN_POD_ENV];
  const rendered = config.mock || !!config.schedule;
  const capabilities: ExecutorCapabilities = inPod
    ? { placement: "in-process", retryByRelaunch: false, memoryStore: false, ...(inPod === "step" ? { underLauncher: true } : {}) }
    : { placement: rendered ? "rendered" : "launched", retryByRelaunch: false, memoryStore: false };
  const executor: Executor = {
    type,
    capabilities,
    recordedConfig: { ...config },
    maxParallel: 1,
    stepTimeLimitMs: () => undefined,
    check: (graph) => (inPod ? [] : onlyJobs(type, graph)),
  };
  if (inPod) return executor;
  if (rendered) return { ...executor, render: (request) => renderJob(config, request, context) };
  let api: Promise<K8sApi> | undefined;
  return {
    ...executor,
    // The client and the kubeconfig are loaded before the run starts: a kubeconfig that cannot be read
    // is refused before anything is written, and loading the client overlaps the run's start.
    prepare: async () => {
      api = connect(config.config_path);
      await api.catch((error: unknown) => {
        throw new RunnableError("CONFIG_INVALID", `the ${type} executor could not load its kubeconfig: ${messageOf(error)}`, {
          hint: "set config_path to a kubeconfig file, or KUBECONFIG, or run inside a pod with a service account",
        });
      });
    },
    launchStep: (step) => launchJob(config, step, context, (api ??= connect(config.config_path))),
  };
}

/** A Kubernetes job executor runs jobs (one task, its Job named after the run): pipelines run on argo. */
function onlyJobs(type: string, graph: Graph): Problem[] {
  const tasks = [...allNodes(graph)].filter((node) => node.kind === "task");
  if (tasks.length <= 1) return [];
  return [
    {
      message: `the ${type} executor runs jobs (one task: PythonJob, ShellJob, NotebookJob); this pipeline has ${tasks.length} tasks: give it as job-executor, and run pipelines on Kubernetes with the argo executor`,
    },
  ];
}

/** The folders of the services that share through folders: mounted into the pod where its config names them. */
function storeFolders(peers: Peers | undefined): StoreFolder[] {
  if (!peers) return [];
  const { run_log_store: store, catalog } = peers.services;
  const folders: StoreFolder[] = [];
  if (store.traits.sharing === "folder") for (const f of peers.folders.run_log_store) folders.push({ service: "run_log_store", location: f.value });
  if (catalog.traits.sharing === "folder") for (const f of peers.folders.catalog) folders.push({ service: "catalog", location: f.value });
  return folders;
}

/** The configuration variables (`RUNNABLE_VAR_*`) the pod's config is substituted with, as here. */
function variables(env: PluginContext["env"]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => /^(RUNNABLE|runnable)_VAR_/.test(e[0]) && e[1] !== undefined));
}

function options(flag: string, value: string | null | undefined): string[] {
  return value ? [flag, value] : [];
}

/** The `runnable execute-single-node` command of the step's pod. */
function podCommand(step: RemoteStep): string[] {
  return [
    "runnable",
    "execute-single-node",
    step.runId,
    step.node.internalName.replace(/ /g, "%"),
    ...options("--file", step.pipelineFile),
    ...options("--config-file", step.configFile),
    ...options("--parameters-file", step.parametersFile),
    ...options("--tag", step.tag),
  ];
}

/**
 * Creates the step's Job, named after the run id; when that name is taken (a retry under the same run
 * id), under the run's next Job name. Its name, or the step's result when it could not be created.
 */
async function submitJob(
  config: K8sJobConfig,
  step: RemoteStep,
  context: PluginContext,
  api: K8sApi,
): Promise<{ name: string } | { result: RemoteStepResult }> {
  const { namespace } = config;
  const env = { ...variables(context.env), [IN_POD_ENV]: "step" };
  const manifestNamed = (name: string) => {
    const input: JobManifestInput = { name, runId: step.runId, command: podCommand(step), env, folders: storeFolders(context.peers?.()) };
    return jobManifest(config, input);
  };
  let name = step.runId;
  try {
    // The first launch's name is free but for a retry: one request, as before retries were named.
    const taken = await create(api, manifestNamed(name)).then(
      () => false,
      (error: unknown) => {
        if ((error as { code?: unknown }).code === 409) return true;
        throw error;
      },
    );
    if (!taken) return { name };
    const next = await nextJobName(api, namespace, step.runId, [name]);
    if ("running" in next) {
      const problem = `Job "${next.running}" of run ${step.runId} is still running in namespace "${namespace}": wait for it to end, or delete it (kubectl delete job ${next.running}) to run the job again`;
      return { result: { exitCode: 1, problem } };
    }
    name = next.name;
    await create(api, manifestNamed(name));
    return { name };
  } catch (error) {
    return { result: { exitCode: 1, problem: refusal(error, `could not create Job "${name}" in namespace "${namespace}"`) } };
  }
}

/** Runs the step as a Job (a retry's Job named after its attempt) and follows it to its end. */
async function launchJob(config: K8sJobConfig, step: RemoteStep, context: PluginContext, connecting: Promise<K8sApi>): Promise<RemoteStepResult> {
  const { namespace } = config;
  let api: K8sApi;
  try {
    api = await connecting;
  } catch (error) {
    return { exitCode: 1, problem: refusal(error, `could not create Job "${step.runId}" in namespace "${namespace}"`) };
  }
  const submitted = await submitJob(config, step, context, api);
  if ("result" in submitted) return submitted.result;
  const { name } = submitted;
  const stop = () => void deleteJob(api, namespace, name);
  step.signal.addEventListener("abort", stop, { once: true });
  try {
    const end = await followJob(api, namespace, name, step.signal);
    for (const log of await jobLogs(api, namespace, name)) if (log) step.output.write("stdout", log);
    if (!end) return { exitCode: 1, problem: `Job "${name}" was deleted or stopped before it ended` };
    return end.complete ? { exitCode: 0 } : { exitCode: 1, ending: `Kubernetes ended Job "${name}": ${end.reason}${end.message ? ` (${end.message})` : ""}` };
  } finally {
    step.signal.removeEventListener("abort", stop);
  }
}

/** `mock`: the Job (or CronJob) written and printed; `schedule` without `mock`: the CronJob created. Nothing runs here. */
async function renderJob(config: K8sJobConfig, request: RenderRequest, context: PluginContext): Promise<RenderOutcome> {
  if (!request.jobDefinition) {
    throw new RunnableError(
      "CONFIG_INVALID",
      "a scheduled or mocked Kubernetes job runs `runnable execute-job MODULE.FUNCTION` in its pod, which needs a Python job",
      {
        hint: "define the job with the Python SDK (PythonJob, ShellJob, NotebookJob) in a module of the image, or remove schedule/mock",
      },
    );
  }
  const command = [
    "runnable",
    "execute-job",
    request.jobDefinition,
    // A CronJob's every firing is a run of its own (a generated id); a mocked Job is this run.
    ...(config.schedule ? [] : [request.runId]),
    ...options("--config", request.configFile),
    ...options("--parameters", request.parametersFile),
    ...options("--tag", request.tag),
  ];
  const input: JobManifestInput = {
    name: request.runId,
    command,
    env: { ...variables(context.env), [IN_POD_ENV]: "job" },
    folders: storeFolders(context.peers?.()),
  };
  const manifest = config.schedule ? cronJobManifest(config, input, config.schedule) : jobManifest(config, input);
  const kind = String(manifest["kind"]);
  if (!config.mock) {
    try {
      await create(await connect(config.config_path), manifest);
    } catch (error) {
      throw new RunnableError("RUN_FAILED", refusal(error, `could not create ${kind} "${request.runId}" in namespace "${config.namespace}"`));
    }
    return {
      file: "",
      message: `${kind} ${request.runId} created in namespace ${config.namespace} (schedule "${config.schedule}"): each run is recorded in the shared store`,
    };
  }
  const text = manifestYaml(manifest);
  const file = resolve(request.cwd, `${request.runId}.${kind.toLowerCase()}.yaml`);
  await writeFile(file, text);
  return { file, message: `${text}\nmock: the ${kind} above was written to ${file}, not submitted (kubectl apply -f ${file} submits it)` };
}
