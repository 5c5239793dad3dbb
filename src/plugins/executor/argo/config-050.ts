import { isMapping } from "../../../core/values.js";

// runnable 0.20+'s shape of the argo executor's config (extensions/pipeline_executor/argo.py, read as
// runnable 0.50 reads it) translated into this executor's own keys before the strict schema checks it:
// `defaults` (the containers' image, resources, pull policy, deadline, node selector, tolerations,
// parallelism), `argoWorkflow` (metadata: generateName, namespace, annotations, labels; spec:
// serviceAccountName, activeDeadlineSeconds, nodeSelector, parallelism, tolerations), `pvc_for_runnable`
// (mounted at /tmp, as 0.50 mounts it) and `custom_volumes`, `cron_schedule` (kept: a CronWorkflow is
// rendered), `retryStrategy` (durations in seconds), `env` of secret references (`secrets_from_k8s`) and
// camelCase override bundles. Keys of that shape not translated are kept under their dotted name, so the strict schema
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

/** 0.50 override bundle key (camelCase, or its snake_case name, as pydantic takes both) → this executor's bundle key. */
const OVERRIDES: Record<string, string> = { ...DEFAULTS, failFast: "fail_fast" };

/** Keys whose values are translated too: `retryStrategy` (durations to seconds), `env` (secret references). */
type Special = (value: unknown, out: Obj) => boolean;

/** Copies the translated keys of `from` into `out`; the others are kept as `<prefix>.<key>` (refused by the strict schema). */
function translate(from: unknown, names: Record<string, string>, prefix: string, out: Obj, special: Record<string, Special> = {}): void {
  if (!isMapping(from)) {
    if (from !== undefined && from !== null) out[prefix] = from;
    return;
  }
  for (const [key, value] of Object.entries(from)) {
    const camel = key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (Object.hasOwn(special, camel) && special[camel]!(value, out)) continue;
    if (Object.hasOwn(names, camel)) out[names[camel]!] = value;
    else out[`${prefix}.${key}`] = value;
  }
}

/** Seconds of an Argo duration (`120`, `"120"`, `"2m"`, `"1h30m"`); undefined when not whole seconds. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
  const parts = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!parts || value === "") return undefined;
  return (["h", "m", "s"] as const).reduce((total, unit, i) => total + Number(parts[i + 1] ?? 0) * units[unit]!, 0);
}

/** A 0.50 `retryStrategy` (`limit`, `retryPolicy`, `backOff: {duration, factor, maxDuration}`) in this executor's keys; undefined when a value has no faithful equivalent. */
export function retryStrategyOf(value: unknown): Obj | undefined {
  if (!isMapping(value)) return undefined;
  const pick = (from: Obj, camel: string, snake: string) => (Object.hasOwn(from, camel) ? from[camel] : from[snake]);
  const known = new Set(["limit", "retryPolicy", "retry_policy", "backOff", "back_off"]);
  if (Object.keys(value).some((key) => !known.has(key))) return undefined;
  const out: Obj = {};
  if (value["limit"] !== undefined) out["limit"] = value["limit"];
  const policy = pick(value, "retryPolicy", "retry_policy");
  if (policy !== undefined) out["retry_policy"] = policy;
  const backOff = pick(value, "backOff", "back_off");
  if (backOff !== undefined && backOff !== null) {
    if (!isMapping(backOff) || Object.keys(backOff).some((key) => !["duration", "factor", "maxDuration", "max_duration"].includes(key))) return undefined;
    const duration = backOff["duration"] === undefined ? 120 : durationSeconds(backOff["duration"]);
    const maxRaw = pick(backOff, "maxDuration", "max_duration");
    const max = maxRaw === undefined ? 3600 : durationSeconds(maxRaw);
    const factor = backOff["factor"] ?? 2;
    if (duration === undefined || max === undefined || !Number.isInteger(factor)) return undefined;
    out["back_off"] = { duration_in_seconds: duration, factor, max_duration: max };
  }
  return out;
}

const retrySpecial: Special = (value, out) => {
  const strategy = retryStrategyOf(value);
  if (strategy) out["retry_strategy"] = strategy;
  return strategy !== undefined;
};

/** `defaults.env` of secret references only (`environment_variable`, `secret_name`, `secret_key`): this executor's `secrets_from_k8s`, given to every container as 0.50 gives them. */
const envSpecial: Special = (value, out) => {
  const secret = (entry: unknown) =>
    isMapping(entry) && Object.keys(entry).length === 3 && ["environment_variable", "secret_name", "secret_key"].every((key) => typeof entry[key] === "string");
  if (!Array.isArray(value) || !value.every(secret)) return false;
  out["secrets_from_k8s"] = [...(Array.isArray(out["secrets_from_k8s"]) ? out["secrets_from_k8s"] : []), ...value];
  return true;
};

/** `defaults.failFast: false` is this executor's own default (its maps run every item); `true` has no global equivalent here. */
const failFastSpecial: Special = (value) => value === false;

/** 0.50 override bundles (camelCase keys) in this executor's keys; a bundle already in its keys is left as it is. */
function overrideBundles(overrides: unknown): unknown {
  if (!isMapping(overrides)) return overrides;
  const out: Obj = {};
  for (const [name, bundle] of Object.entries(overrides)) {
    const translated: Obj = {};
    translate(bundle, OVERRIDES, "", translated, { retryStrategy: retrySpecial });
    out[name] = isMapping(bundle) ? Object.fromEntries(Object.entries(translated).map(([key, value]) => [key.replace(/^\./, ""), value])) : bundle;
  }
  return out;
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
  translate(defaults, DEFAULTS, "defaults", out, { retryStrategy: retrySpecial, env: envSpecial, failFast: failFastSpecial });
  if (out["overrides"] !== undefined) out["overrides"] = overrideBundles(out["overrides"]);
  if (isMapping(argoWorkflow)) {
    translate(argoWorkflow["metadata"], WORKFLOW_METADATA, "argoWorkflow.metadata", out);
    translate(argoWorkflow["spec"], WORKFLOW_SPEC, "argoWorkflow.spec", out);
    for (const key of Object.keys(argoWorkflow)) if (key !== "metadata" && key !== "spec") out[`argoWorkflow.${key}`] = argoWorkflow[key];
  } else if (argoWorkflow !== undefined) out["argoWorkflow"] = argoWorkflow;
  volumes(input, out);
  return out;
}
