import { z } from "zod";
import { cronScheduleError } from "../shared/cron-schedule.js";
import { withEditorInput } from "../../../core/json-schema.js";
import { fromArgo050 } from "./config-050.js";

/** Argo's retry policies (`retryStrategy.retryPolicy`). */
export const RETRY_POLICIES = ["Always", "OnFailure", "OnError", "OnTransientError"] as const;

/** Treats `null` (a YAML key written without a value) as absent, so the default applies. */
const orDefault = <T extends z.ZodType>(schema: T, fallback: z.output<T>) => schema.nullish().transform((value) => (value ?? fallback) as z.output<T>);

/** Absent or `null` in an override bundle: the key is not overridden. */
const maybe = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => (value ?? undefined) as z.output<T> | undefined);

/** `null` or absent read as `null` (runnable's "not set"). */
const orNull = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => (value ?? null) as z.output<T> | null);

/**
 * Builds the config schema of the `argo` executor (§11.5.1): strict, every key of runnable's plus
 * `overrides`. Built when a config names the executor, not when the CLI starts (it is a large schema);
 * its parts are built once here and shared by the executor's keys and its override bundles.
 */
export function buildArgoConfigSchema() {
  const parts = argoParts();
  const argoKeys = z.strictObject({ ...workflowKeys(parts), ...stepKeys(parts) });
  const argoConfigSchema = argoKeys.superRefine(distinctVolumes);
  // runnable 0.20+'s shape (defaults, argoWorkflow, pvc_for_runnable, ...) is read in this executor's keys;
  // editors are shown both shapes.
  const schema = z.preprocess(fromArgo050, argoConfigSchema);
  return withEditorInput(schema, z.union([argoKeys, argo050Shape(argoKeys)]));
}

/** The value schemas used both by the executor's keys and by a step's override bundle. */
function argoParts() {
  const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));
  const toleration = z.strictObject({
    key: z.string().optional(),
    operator: z.enum(["Exists", "Equal", "Lt", "Gt"]).optional(),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: z.number().int().optional(),
  });
  return {
    stringMap,
    /** A Kubernetes toleration (keys as Kubernetes spells them; all optional as in Kubernetes). */
    toleration,
    positiveSeconds: z.number().int().positive(),
    pullPolicy: z.enum(["", "Always", "Never", "IfNotPresent"]),
    resources: resourcesSchema(),
    retryStrategy: retryStrategySchema(),
  };
}

type ArgoParts = ReturnType<typeof argoParts>;

/**
 * Container resources. Requests not given default to the limits (what Kubernetes does when requests
 * are omitted), so `limits: {memory: 140Mi}` never pairs with runnable's 1Gi default request.
 */
function resourcesSchema() {
  /** A Kubernetes quantity (`1Gi`, `250m`, `2`); numbers are accepted and written as strings. */
  const quantity = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);
  const limits = z.strictObject({
    memory: orDefault(quantity, "1Gi"),
    cpu: orDefault(quantity, "250m"),
    gpu: orNull(z.number().int().nonnegative()),
  });
  const requests = z.strictObject({ memory: orNull(quantity), cpu: orNull(quantity) });
  return z
    .strictObject({
      limits: orDefault(limits, { memory: "1Gi", cpu: "250m", gpu: null }),
      requests: orDefault(requests, { memory: null, cpu: null }),
    })
    .transform(({ limits, requests }) => ({
      limits,
      requests: { memory: requests.memory ?? limits.memory, cpu: requests.cpu ?? limits.cpu },
    }));
}

/** `retry_strategy` (snake_case keys; runnable's camelCase names are tolerated, ignored and warned about). */
function retryStrategySchema() {
  const backOff = z.strictObject({
    duration_in_seconds: orDefault(z.number().int().nonnegative(), 120),
    factor: orDefault(z.number().int().positive(), 2),
    max_duration: orDefault(z.number().int().nonnegative(), 3600),
    // runnable's serialisation names, which runnable itself silently ignores on input (warned about).
    duration: z.unknown().optional(),
    maxDuration: z.unknown().optional(),
  });
  return z.strictObject({
    limit: orDefault(z.number().int().nonnegative(), 0),
    retry_policy: orDefault(z.enum(RETRY_POLICIES), "Always"),
    back_off: orDefault(backOff, { duration_in_seconds: 120, factor: 2, max_duration: 3600 }),
    retryPolicy: z.unknown().optional(),
    backoff: z.unknown().optional(),
  });
}

/** The workflow's own keys: image, names, metadata, its duration and concurrency. */
function workflowKeys({ stringMap, positiveSeconds }: ArgoParts) {
  const secretFromK8s = z.strictObject({
    environment_variable: z.string().min(1),
    secret_name: z.string().min(1),
    secret_key: z.string().min(1),
  });
  // Kubernetes adds 5 random characters to generateName; a name is at most 63 characters.
  const generateName = z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*)$/, "must be lower-case letters, digits, '-' or '.', starting with a letter or digit")
    .max(58);
  return {
    image: z.string().min(1, "the image every pod runs (runnable 0.20+: defaults.image)"),
    expose_parameters_as_inputs: z.boolean().default(true),
    secrets_from_k8s: z
      .array(secretFromK8s)
      .nullish()
      .transform((v) => v ?? []),
    output_file: z.string().min(1).default("argo-pipeline.yaml"),
    name: generateName.default("runnable-dag-"),
    annotations: stringMap.nullish().transform((v) => v ?? {}),
    labels: stringMap.nullish().transform((v) => v ?? {}),
    max_workflow_duration_in_seconds: orDefault(positiveSeconds, 172800),
    node_selector: orNull(stringMap),
    /** `parallelism: 0` (runnable's argo-config-full.yaml) is kept as 0 here and treated as "no limit" with a warning. */
    parallelism: orNull(z.number().int().nonnegative()),
  };
}

/** The keys about each step's pod (defaults and per-step override bundles), volumes, namespace and schedule. */
function stepKeys(parts: ArgoParts) {
  const { positiveSeconds, toleration, pullPolicy } = parts;
  const persistentVolume = z.strictObject({ name: z.string().min(1), mount_path: z.string().startsWith("/") });
  return {
    resources: orDefault(parts.resources, { limits: { memory: "1Gi", cpu: "250m", gpu: null }, requests: { memory: "1Gi", cpu: "250m" } }),
    retry_strategy: orDefault(parts.retryStrategy, { limit: 0, retry_policy: "Always", back_off: { duration_in_seconds: 120, factor: 2, max_duration: 3600 } }),
    max_step_duration_in_seconds: orDefault(positiveSeconds, 7200),
    tolerations: orNull(z.array(toleration)),
    image_pull_policy: orDefault(pullPolicy, ""),
    service_account_name: orNull(z.string().min(1)),
    persistent_volumes: z
      .array(persistentVolume)
      .nullish()
      .transform((v) => v ?? []),
    enable_parallel: z.boolean().default(false),
    /** The workflow's namespace: runnable 0.20+'s argoWorkflow.metadata.namespace (no top-level key: February 2024's was never supported). */
    "argoWorkflow.metadata.namespace": orNull(z.string().min(1)),
    /** runnable 0.45's `cron_schedule`: a CronWorkflow firing the workflow on these schedules. */
    cron_schedule: orNull(
      z.strictObject({
        schedules: z.array(z.string().superRefine(cronSchedule)).min(1, "give at least one schedule"),
        timezone: orNull(z.string().min(1)),
      }),
    ),
    overrides: z
      .record(z.string(), overrideSchema(parts))
      .nullish()
      .transform((v) => v ?? {}),
  };
}

/** What a step's `overrides: {argo: <key>}` bundle may change (unknown keys are errors). */
function overrideSchema({ stringMap, positiveSeconds, toleration, pullPolicy, resources, retryStrategy }: ArgoParts) {
  return z.strictObject({
    image: maybe(z.string().min(1)),
    tolerations: maybe(z.array(toleration)),
    max_step_duration_in_seconds: maybe(positiveSeconds),
    node_selector: maybe(stringMap),
    parallelism: maybe(z.number().int().nonnegative()),
    resources: maybe(resources),
    image_pull_policy: maybe(pullPolicy),
    retry_strategy: maybe(retryStrategy),
    fail_fast: maybe(z.boolean()),
  });
}

/** Each persistent volume claim listed once, each mount path used once. */
function distinctVolumes(config: { persistent_volumes: { name: string; mount_path: string }[] }, ctx: z.RefinementCtx): void {
  const claims = new Set<string>();
  const mounts = new Set<string>();
  config.persistent_volumes.forEach((volume, index) => {
    if (claims.has(volume.name))
      ctx.addIssue({
        code: "custom",
        path: ["persistent_volumes", index, "name"],
        message: `Duplicate claim name ${volume.name}: list each persistent volume claim once`,
      });
    if (mounts.has(volume.mount_path))
      ctx.addIssue({
        code: "custom",
        path: ["persistent_volumes", index, "mount_path"],
        message: `two volumes are mounted at ${volume.mount_path}: give each its own mount_path`,
      });
    claims.add(volume.name);
    mounts.add(volume.mount_path);
  });
}

/** runnable 0.20+'s shape as written (for editors; the loader translates it, `config-050.ts`). */
function argo050Shape(argoKeys: z.ZodObject) {
  const loose = z.record(z.string(), z.unknown());
  return argoKeys.omit({ image: true }).extend({
    pvc_for_runnable: z.string().min(1).optional(),
    custom_volumes: z.array(z.looseObject({ mount_path: z.string(), persistent_volume_claim: z.looseObject({ claim_name: z.string() }) })).optional(),
    configmap_cache_name: z.string().optional(),
    log_level: z.string().optional(),
    defaults: z.looseObject({ image: z.string().min(1), resources: loose.optional() }),
    argoWorkflow: z.looseObject({ metadata: loose.optional(), spec: loose.optional() }).optional(),
  });
}

/** A schedule Argo's cron (robfig's) parses; the message says why not. */
function cronSchedule(value: string, context: z.RefinementCtx): void {
  const error = cronScheduleError(value);
  if (error) context.addIssue({ code: "custom", message: `is not a cron schedule: ${error} (e.g. "0 0 * * *": every day at midnight)` });
}

/** The validated `argo` executor config. */
export type ArgoConfig = z.output<ReturnType<typeof buildArgoConfigSchema>>;
/** Resolved container resources. */
export type ArgoResources = ArgoConfig["resources"];
/** Resolved retry strategy. */
export type ArgoRetryStrategy = ArgoConfig["retry_strategy"];
/** One toleration. */
export type ArgoToleration = NonNullable<ArgoConfig["tolerations"]>[number];
/** One override bundle. */
export type ArgoOverride = ArgoConfig["overrides"][string];

/** Warnings about keys runnable accepts but ignores (camelCase retry keys) and about `parallelism: 0`. */
export function argoConfigWarnings(config: ArgoConfig): string[] {
  const warnings: string[] = [];
  const retry = (where: string, strategy: ArgoRetryStrategy | undefined) => {
    if (!strategy) return;
    const ignored = [
      ...(strategy.retryPolicy !== undefined ? [["retryPolicy", "retry_policy"]] : []),
      ...(strategy.backoff !== undefined ? [["backoff", "back_off"]] : []),
      ...(strategy.back_off.duration !== undefined ? [["back_off.duration", "back_off.duration_in_seconds"]] : []),
      ...(strategy.back_off.maxDuration !== undefined ? [["back_off.maxDuration", "back_off.max_duration"]] : []),
    ];
    for (const [key, use] of ignored) {
      warnings.push(`executor argo: ${where}.${key} is ignored (as runnable ignores it); write ${where}.${use} instead`);
    }
  };
  retry("retry_strategy", config.retry_strategy);
  for (const [name, bundle] of Object.entries(config.overrides)) retry(`overrides.${name}.retry_strategy`, bundle.retry_strategy);
  if (config.parallelism === 0) {
    warnings.push("executor argo: parallelism 0 is treated as no limit (Argo would start no pod at all); remove it or set a positive number");
  }
  for (const [name, bundle] of Object.entries(config.overrides)) {
    if (bundle.parallelism === 0) warnings.push(`executor argo: overrides.${name}.parallelism 0 is treated as no limit; remove it or set a positive number`);
  }
  return warnings;
}
