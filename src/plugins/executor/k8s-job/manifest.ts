import { posix } from "node:path";
import type { K8sJobConfig } from "./schema.js";

// The pure builders of a job's Kubernetes objects: a batch/v1 Job (or, with `schedule`, a CronJob whose
// job template is that Job's spec), as runnable 0.50's k8s job executors build them (container `default`,
// 0.50's defaults for deadlines, backoff, TTL and resources), plus the volumes that put the run log store
// and the catalog where the pod's process finds them. Plain objects: strictly validated in the tests.

type Obj = Record<string, unknown>;

/** A store or catalog folder the pod must see: its setting as configured (relative to the working directory, or absolute). */
export interface StoreFolder {
  service: "run_log_store" | "catalog";
  location: string;
}

/** What the manifest of one job needs besides the config. */
export interface JobManifestInput {
  /** The Job's (or CronJob's) name: the run id, as runnable 0.50 names it (a retry's: with its attempt). */
  name: string;
  /** The run's id, when the name is not it (the `runnable/run-id` label). */
  runId?: string;
  /** The pod's command (`runnable execute-single-node ...` or `runnable execute-job ...`). */
  command: string[];
  /** Variables the pod gets after the config's own `env` (the in-pod marker, `RUNNABLE_VAR_*`). */
  env: Readonly<Record<string, string>>;
  /** The folders of the services shared through folders (mounted from the claim or the node's paths). */
  folders: readonly StoreFolder[];
  labels?: Readonly<Record<string, string>>;
}

const DATA_VOLUME = "runnable-data";

/** The label every object of a run carries (its value the run id): a retry finds the run's Jobs by it. */
export const RUN_ID_LABEL = "runnable/run-id";

/** 0.50's container resources: limits default to 1Gi / 250m, `gpu` is `nvidia.com/gpu`. */
function resources(config: K8sJobConfig): Obj {
  const rename = (amounts: Record<string, string | undefined> | undefined): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(amounts ?? {})) if (value !== undefined) out[key === "gpu" ? "nvidia.com/gpu" : key] = value;
    return out;
  };
  const given = config.jobSpec.template.spec.container.resources;
  const limits = { memory: "1Gi", cpu: "250m", ...rename(given?.limits) };
  return given?.requests ? { limits, requests: rename(given.requests) } : { limits };
}

/** Where a folder is in the pod: under the working directory when relative (where the pod's process resolves it). */
function mountPath(workingDir: string, location: string): string {
  return posix.isAbsolute(location) ? location : posix.join(workingDir, location);
}

/** The store volumes and mounts: `k8s-job` one claim (a sub-path per folder), `mini-k8s-job` the node's two paths. */
function storeVolumes(config: K8sJobConfig, folders: readonly StoreFolder[], workingDir: string): { volumes: Obj[]; mounts: Obj[] } {
  if ("pvc_claim_name" in config) {
    const mounts = folders.map((f) => ({
      name: DATA_VOLUME,
      mountPath: mountPath(workingDir, f.location),
      subPath: posix.normalize(f.location).replace(/^\/+/, ""),
    }));
    return { volumes: folders.length > 0 ? [{ name: DATA_VOLUME, persistentVolumeClaim: { claimName: config.pvc_claim_name } }] : [], mounts };
  }
  const volumes: Obj[] = [];
  const mounts: Obj[] = [];
  for (const folder of folders) {
    const name = folder.service === "run_log_store" ? "run-logs" : "catalog";
    const path = folder.service === "run_log_store" ? config.mini_k8s_run_log_location : config.mini_k8s_catalog_location;
    if (!volumes.some((v) => v["name"] === name)) volumes.push({ name, hostPath: { path } });
    mounts.push({ name, mountPath: mountPath(workingDir, folder.location) });
  }
  return { volumes, mounts };
}

/** The pod template of the job: the config's container and pod settings, the command, the store mounts. */
function podTemplate(config: K8sJobConfig, input: JobManifestInput): Obj {
  const { spec, metadata } = config.jobSpec.template;
  const { container } = spec;
  const stores = storeVolumes(config, input.folders, container.workingDir);
  const env = [...container.env, ...Object.entries(input.env).map(([name, value]) => ({ name, value }))];
  const pullPolicy = container.imagePullPolicy ?? ("pvc_claim_name" in config ? "Always" : "Never");
  const podSpec: Obj = {
    activeDeadlineSeconds: spec.activeDeadlineSeconds,
    restartPolicy: spec.restartPolicy,
    ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
    ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
    ...(spec.tolerations
      ? {
          tolerations: spec.tolerations.map(({ value, tolerationSeconds, ...t }) => ({
            ...t,
            ...(value != null ? { value } : {}),
            ...(tolerationSeconds != null ? { tolerationSeconds } : {}),
          })),
        }
      : {}),
    volumes: [...spec.volumes, ...stores.volumes],
    containers: [
      {
        name: "default",
        image: container.image,
        imagePullPolicy: pullPolicy,
        command: input.command,
        env,
        ...(container.envFrom.length > 0 ? { envFrom: container.envFrom } : {}),
        resources: resources(config),
        workingDir: container.workingDir,
        volumeMounts: [...container.volumeMounts, ...stores.mounts],
      },
    ],
  };
  const annotations = metadata?.annotations ?? undefined;
  const generateName = metadata?.generate_name ?? undefined;
  const meta: Obj = { labels: { ...input.labels }, ...(annotations ? { annotations } : {}), ...(generateName ? { generateName } : {}) };
  return { metadata: meta, spec: podSpec };
}

/** The Job's spec (0.50's defaults: 2 h deadline, backoff 6, TTL 24 h). */
function jobSpecOf(config: K8sJobConfig, input: JobManifestInput): Obj {
  const spec = config.jobSpec;
  return {
    ...(spec.activeDeadlineSeconds != null ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
    backoffLimit: spec.backoffLimit,
    ...(spec.selector ? { selector: spec.selector, manualSelector: true } : {}),
    ...(spec.ttlSecondsAfterFinished != null ? { ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished } : {}),
    template: podTemplate(config, input),
  };
}

/** The labels every object of a job carries. */
function labelsOf(input: JobManifestInput): Record<string, string> {
  return { "app.kubernetes.io/managed-by": "runnable", [RUN_ID_LABEL]: input.runId ?? input.name, ...input.labels };
}

/** A batch/v1 Job running the job's task in the config's container. */
export function jobManifest(config: K8sJobConfig, input: JobManifestInput): Obj {
  const labels = labelsOf(input);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: input.name, namespace: config.namespace, labels },
    spec: jobSpecOf(config, { ...input, labels }),
  };
}

/** A batch/v1 CronJob (runnable 0.43's scheduled job): the Job's spec as its template, fired on `schedule`. */
export function cronJobManifest(config: K8sJobConfig, input: JobManifestInput, schedule: string): Obj {
  const labels = labelsOf(input);
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: input.name, namespace: config.namespace, labels },
    spec: { schedule, concurrencyPolicy: "Forbid", jobTemplate: { metadata: { labels }, spec: jobSpecOf(config, { ...input, labels }) } },
  };
}
