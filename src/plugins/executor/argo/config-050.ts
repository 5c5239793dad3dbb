import { isMapping } from "../../../core/values.js";

// runnable 0.20+'s shape of the argo executor's config (extensions/pipeline_executor/argo.py, read as
// runnable 0.50 reads it) translated into this executor's own keys before the strict schema checks it:
// `defaults` (the containers' image, resources, pull policy, deadline, node selector, tolerations,
// parallelism), `argoWorkflow` (metadata: generateName, namespace, annotations, labels; spec:
// serviceAccountName, activeDeadlineSeconds, nodeSelector, parallelism, tolerations), `pvc_for_runnable`
// (mounted at /tmp, as 0.50 mounts it) and `custom_volumes`, `cron_schedule` (kept: a CronWorkflow is
// rendered). Keys of that shape not translated are kept under their dotted name, so the strict schema
// refuses them at their line instead of dropping them (`argoWorkflow.metadata.namespace` is the one it
// takes: February 2024's top-level `namespace` stays refused, as runnable never supported it).

type Obj = Record<string, unknown>;

/** The keys only runnable 0.20+'s shape has (their presence selects the translation). */
const SHAPE_050 = ["defaults", "argoWorkflow", "pvc_for_runnable", "custom_volumes", "configmap_cache_name", "log_level"];

/** 0.50 `defaults` key → this executor's key (the container defaults every step gets). */
const DEFAULTS: Record<string, string> = {
  image: "image",
  resources: "resources",
  imagePullPolicy: "image_pull_policy",
  activeDeadlineSeconds: "max_step_duration_in_seconds",
  nodeSelector: "node_selector",
  tolerations: "tolerations",
  parallelism: "parallelism",
};

/** 0.50 `argoWorkflow.spec` key → this executor's key. */
const WORKFLOW_SPEC: Record<string, string> = {
  serviceAccountName: "service_account_name",
  activeDeadlineSeconds: "max_workflow_duration_in_seconds",
  nodeSelector: "node_selector",
  parallelism: "parallelism",
  tolerations: "tolerations",
};

/** 0.50 `argoWorkflow.metadata` key → this executor's key. */
const WORKFLOW_METADATA: Record<string, string> = { generateName: "name", annotations: "annotations", labels: "labels" };

/** Copies the translated keys of `from` into `out`; the others are kept as `<prefix>.<key>` (refused by the strict schema). */
function translate(from: unknown, names: Record<string, string>, prefix: string, out: Obj): void {
  if (!isMapping(from)) {
    if (from !== undefined && from !== null) out[prefix] = from;
    return;
  }
  for (const [key, value] of Object.entries(from)) {
    if (Object.hasOwn(names, key)) out[names[key]!] = value;
    else out[`${prefix}.${key}`] = value;
  }
}

/** The volumes of `pvc_for_runnable` and `custom_volumes` as this executor's `persistent_volumes`. */
function volumes(config: Obj, out: Obj): void {
  const list: unknown[] = Array.isArray(out["persistent_volumes"]) ? [...(out["persistent_volumes"] as unknown[])] : [];
  if (typeof config["pvc_for_runnable"] === "string") list.push({ name: config["pvc_for_runnable"], mount_path: "/tmp" });
  for (const volume of Array.isArray(config["custom_volumes"]) ? config["custom_volumes"] : []) {
    const claim = isMapping(volume) && isMapping(volume["persistent_volume_claim"]) ? volume["persistent_volume_claim"]["claim_name"] : undefined;
    list.push(isMapping(volume) ? { name: claim, mount_path: volume["mount_path"] } : volume);
  }
  if (list.length > 0) out["persistent_volumes"] = list;
}

/** The config in this executor's keys when it is written in runnable 0.20+'s shape; anything else as given. */
export function fromArgo050(input: unknown): unknown {
  if (!isMapping(input) || !SHAPE_050.some((key) => key in input)) return input;
  const { defaults, argoWorkflow, pvc_for_runnable: _pvc, custom_volumes: _volumes, configmap_cache_name: _cache, log_level: _level, ...rest } = input;
  const out: Obj = { ...rest };
  translate(defaults, DEFAULTS, "defaults", out);
  if (isMapping(argoWorkflow)) {
    translate(argoWorkflow["metadata"], WORKFLOW_METADATA, "argoWorkflow.metadata", out);
    translate(argoWorkflow["spec"], WORKFLOW_SPEC, "argoWorkflow.spec", out);
    for (const key of Object.keys(argoWorkflow)) if (key !== "metadata" && key !== "spec") out[`argoWorkflow.${key}`] = argoWorkflow[key];
  } else if (argoWorkflow !== undefined) out["argoWorkflow"] = argoWorkflow;
  volumes(input, out);
  return out;
}
