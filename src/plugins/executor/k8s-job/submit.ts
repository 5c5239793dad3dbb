import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BatchV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { messageOf } from "../../../core/errors.js";
import { dynamicImport } from "../../../io/dynamic-import.js";
import { RUN_ID_LABEL } from "./manifest.js";

// The Kubernetes API as the k8s job executors use it, through @kubernetes/client-node (loaded on first
// use, from the one-file bundle of the parts used that `npm run build` makes: the package itself is ~970
// modules, ~1 s of CPU to load): a kubeconfig (the config's `config_path`, else $KUBECONFIG,
// ~/.kube/config or the pod's in-cluster credentials, as 0.50's `load_config`), create a Job or CronJob,
// name a retry's Job, follow a Job through a watch to its Complete or Failed condition, read its pods'
// logs, delete it. Refusals (409, 403, 404,
// 422, ...) come back as readable problems with the server's causes.

// biome-ignore lint/suspicious/noExplicitAny: objects of the Kubernetes API, read field by field.
type Obj = Record<string, any>;

/** A connection to a cluster's API. */
export interface K8sApi {
  client: KubernetesClient;
  config: KubeConfig;
  batch: BatchV1Api;
  core: CoreV1Api;
}

/** What the executors use of @kubernetes/client-node. */
export type KubernetesClient = Pick<typeof import("@kubernetes/client-node"), "KubeConfig" | "BatchV1Api" | "CoreV1Api" | "Watch">;

const BUNDLED_CLIENT = join("dist", "vendor", "kubernetes-client.mjs");

/**
 * The client: the bundle of scripts/build-k8s-client.mjs in the package above this module (it runs from
 * `dist/cli/bundle/`, `dist/plugins/...` or, under tests, `src/plugins/...`), else the package.
 */
export async function loadKubernetesClient(): Promise<KubernetesClient> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++, dir = dirname(dir)) {
    const bundled = join(dir, BUNDLED_CLIENT);
    if (existsSync(bundled) && existsSync(join(dir, "package.json"))) return await dynamicImport<KubernetesClient>(pathToFileURL(bundled).href);
  }
  return dynamicImport<KubernetesClient>("@kubernetes/client-node");
}

/** Connects with the kubeconfig at `configPath`, or the default one (KUBECONFIG, ~/.kube/config, in-cluster). */
export async function connect(configPath: string | null | undefined): Promise<K8sApi> {
  const k8s = await loadKubernetesClient();
  const config = new k8s.KubeConfig();
  if (configPath) config.loadFromFile(configPath);
  else config.loadFromDefault();
  return { client: k8s, config, batch: config.makeApiClient(k8s.BatchV1Api), core: config.makeApiClient(k8s.CoreV1Api) };
}

/** The server's answer to a refused request, in words: code, reason, message and each cause. */
export function refusal(error: unknown, doing: string): string {
  const { code, body } = error as { code?: number; body?: unknown };
  if (typeof code !== "number") return `${doing}: ${messageOf(error)}`;
  let status: Obj = {};
  try {
    status = (typeof body === "string" ? JSON.parse(body) : body) as Obj;
  } catch {
    status = { message: String(body) };
  }
  const causes = ((status?.["details"]?.causes ?? []) as Obj[]).map((c) => `${c["field"] ?? ""}: ${c["message"] ?? c["reason"]}`);
  const hint = HINTS[code] ?? "";
  return `${doing}: the Kubernetes API answered ${code} ${status?.["reason"] ?? ""}: ${status?.["message"] ?? ""}${causes.length > 0 ? ` (${causes.join("; ")})` : ""}${hint}`;
}

const HINTS: Record<number, string> = {
  401: "; the kubeconfig's credentials were not accepted",
  403: "; the kubeconfig's user may not do this in that namespace: ask for a Role allowing jobs in it, or set the executor's namespace",
  404: "; check the executor's namespace",
  409: "; a Job of that name exists already (runnable names it after the run id, a retry's after the run id and the attempt): delete it (kubectl delete job NAME) or use another run id",
};

/** Creates the Job or CronJob `manifest` in its namespace. */
export async function create(api: K8sApi, manifest: Obj): Promise<void> {
  const namespace = manifest["metadata"].namespace as string;
  if (manifest["kind"] === "CronJob") await api.batch.createNamespacedCronJob({ namespace, body: manifest });
  else await api.batch.createNamespacedJob({ namespace, body: manifest });
}

/** A Job name: at most 63 characters (its pods' `job-name` label), the suffix kept. */
function jobName(runId: string, suffix: string): string {
  return `${runId.slice(0, 63 - suffix.length).replace(/[-.]+$/, "")}${suffix}`;
}

/**
 * The name of the run's next Job: the run id (as runnable 0.50 names it), then `<run id>-attempt-2`,
 * `-attempt-3`, ... while the run's earlier Jobs are kept (their TTL not run out), so a retry under the
 * same run id needs no deleting by hand; `running` when one of the run's Jobs has not ended (another
 * process follows this run). `known`: names known to be taken (a Job without the run's label).
 */
export async function nextJobName(
  api: K8sApi,
  namespace: string,
  runId: string,
  known: Iterable<string> = [],
): Promise<{ name: string } | { running: string }> {
  const listed = await api.batch.listNamespacedJob({ namespace, labelSelector: `${RUN_ID_LABEL}=${runId}` });
  const taken = new Set<string>(known);
  for (const job of listed.items as Obj[]) {
    const name = job["metadata"]?.name as string;
    if (!ended(job)) return { running: name };
    taken.add(name);
  }
  for (let attempt = 1; ; attempt++) {
    const name = attempt === 1 ? runId : jobName(runId, `-attempt-${attempt}`);
    if (!taken.has(name)) return { name };
  }
}

/** How a Job ended: its condition and why. */
export interface JobEnd {
  complete: boolean;
  reason: string;
  message: string;
}

function ended(job: Obj | undefined): JobEnd | undefined {
  for (const condition of (job?.["status"]?.conditions ?? []) as Obj[]) {
    if (condition["status"] !== "True" && condition["status"] !== true) continue;
    if (condition["type"] === "Complete") return { complete: true, reason: "Complete", message: "" };
    if (condition["type"] === "Failed") return { complete: false, reason: condition["reason"] ?? "Failed", message: condition["message"] ?? "" };
  }
  return undefined;
}

/** Resolves when Job `name` has ended (a watch; a watch the server closes is started again after reading the Job). */
export async function followJob(api: K8sApi, namespace: string, name: string, signal: AbortSignal): Promise<JobEnd | undefined> {
  const { Watch } = api.client;
  while (!signal.aborted) {
    const current = await api.batch.readNamespacedJob({ name, namespace }).catch(() => undefined);
    const done = ended(current as Obj | undefined);
    if (done) return done;
    const version = (current as Obj | undefined)?.["metadata"]?.resourceVersion as string | undefined;
    const seen = await new Promise<JobEnd | undefined>((resolve) => {
      let controller: AbortController | undefined;
      const stop = (end: JobEnd | undefined) => {
        signal.removeEventListener("abort", onAbort);
        controller?.abort();
        resolve(end);
      };
      const onAbort = () => stop(undefined);
      signal.addEventListener("abort", onAbort, { once: true });
      const query = { fieldSelector: `metadata.name=${name}`, ...(version ? { resourceVersion: version } : {}) };
      void new Watch(api.config)
        .watch(
          `/apis/batch/v1/namespaces/${namespace}/jobs`,
          query,
          (_type, object) => {
            const end = ended(object as Obj);
            if (end) stop(end);
          },
          () => stop(undefined),
        )
        .then(
          (made) => (controller = made),
          () => stop(undefined),
        );
    });
    if (seen) return seen;
  }
  return undefined;
}

/** The logs of the Job's pods, oldest first (what the task printed, for the run's output). */
export async function jobLogs(api: K8sApi, namespace: string, name: string): Promise<string[]> {
  const pods = await api.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` }).catch(() => ({ items: [] }));
  const logs: string[] = [];
  for (const pod of pods.items) {
    const podName = pod.metadata?.name;
    if (podName) logs.push(await api.core.readNamespacedPodLog({ name: podName, namespace }).catch(() => ""));
  }
  return logs;
}

/** Deletes Job `name` with its pods (a stopped run). */
export async function deleteJob(api: K8sApi, namespace: string, name: string): Promise<void> {
  await api.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Background" }).catch(() => undefined);
}
