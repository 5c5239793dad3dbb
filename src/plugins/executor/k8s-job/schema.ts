import { z } from "zod";
import { cronScheduleError } from "../shared/cron-schedule.js";

// runnable 0.50's `k8s-job` / `mini-k8s-job` job-executor config (extensions/job_executor/k8s.py): the
// same keys, camelCase inside `jobSpec` as 0.50's YAML writes them, strict (an unknown key is an error at
// its line), with what Kubernetes would refuse refused here first: names, image references, resource
// quantities, the cron schedule (robfig's five fields or a descriptor, as a CronJob takes it).

/** A Kubernetes resource quantity (`500m`, `1Gi`, `2`, `1e3`): what the API server's parser accepts. */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;
/**
 * An image reference (`[registry[:port]/]name[:tag][@digest]`, lower-case repository as Docker's grammar
 * has it), or a `$name` placeholder (what an editor sees before `RUNNABLE_VAR_*` substitution).
 */
const IMAGE =
  /^\$\{?\w+\}?$|^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;
/** An RFC 1123 label (container, volume names) and subdomain (namespace, claim, service account). */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const quantity = () =>
  z
    .union([z.string(), z.number()])
    .transform(String)
    .refine((value) => QUANTITY.test(value), { message: "is not a Kubernetes quantity (e.g. 500m, 2, 1Gi)" });
const label = (what: string) => z.string().max(63).regex(LABEL, `${what} must be lower-case letters, digits and '-' (an RFC 1123 label)`);
const subdomain = (what: string) => z.string().max(253).regex(SUBDOMAIN, `${what} must be lower-case letters, digits, '-' and '.' (an RFC 1123 subdomain)`);
const nonNegative = () => z.number().int().min(0);

const envName = () => z.string().regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, "is not a valid environment variable name");

/** 0.50's EnvVar (`name`, `value`), or Kubernetes' `valueFrom` a key of a Secret or ConfigMap (a credential stays in the cluster). */
function envVarSchema() {
  const keyRef = z.strictObject({ name: subdomain("a Secret's or ConfigMap's name"), key: z.string().min(1), optional: z.boolean().optional() });
  return z.union([
    z.strictObject({ name: envName(), value: z.string() }),
    z.strictObject({ name: envName(), valueFrom: z.union([z.strictObject({ secretKeyRef: keyRef }), z.strictObject({ configMapKeyRef: keyRef })]) }),
  ]);
}

/** Kubernetes' `envFrom`: all keys of a Secret or ConfigMap, optionally prefixed. */
function envFromSchema() {
  const ref = z.strictObject({ name: subdomain("a Secret's or ConfigMap's name"), optional: z.boolean().optional() });
  return z.union([z.strictObject({ secretRef: ref, prefix: envName().optional() }), z.strictObject({ configMapRef: ref, prefix: envName().optional() })]);
}

/** 0.50's Container, plus `workingDir` and `envFrom`. */
function containerSchema() {
  const amounts = z.strictObject({ memory: quantity().optional(), cpu: quantity().optional(), gpu: quantity().optional() });
  return z.strictObject({
    image: z.string().regex(IMAGE, "is not a valid image reference (e.g. registry.example.com/team/image:1.2)"),
    command: z.array(z.string()).optional(),
    env: z.array(envVarSchema()).default([]),
    /** Every key of a Secret (or ConfigMap) as variables: how credentials reach the pod without being written into the manifest (not a 0.50 key). */
    envFrom: z.array(envFromSchema()).default([]),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
    resources: z.strictObject({ limits: amounts.optional(), requests: amounts.optional() }).optional(),
    volumeMounts: z.array(z.strictObject({ name: label("a volume mount's name"), mountPath: z.string().startsWith("/") })).default([]),
    /** The pod's working directory: where the image holds the project (not a 0.50 key; default /project, the Dockerfile's WORKDIR). */
    workingDir: z.string().startsWith("/").default("/project"),
  });
}

/** 0.50's K8sTemplateSpec: the pod's settings and its one container. */
function podSpecSchema() {
  const volume = z.union([
    z.strictObject({ name: label("a volume's name"), hostPath: z.strictObject({ path: z.string().startsWith("/") }) }),
    z.strictObject({ name: label("a volume's name"), persistentVolumeClaim: z.strictObject({ claimName: subdomain("claimName") }) }),
  ]);
  const toleration = z.strictObject({
    key: z.string(),
    operator: z.enum(["Exists", "Equal"]).default("Equal"),
    value: z.string().nullish(),
    effect: z.string(),
    tolerationSeconds: z.number().int().nullish(),
  });
  return z.strictObject({
    activeDeadlineSeconds: nonNegative().default(7200),
    nodeSelector: z.record(z.string(), z.string()).nullish(),
    tolerations: z.array(toleration).nullish(),
    volumes: z.array(volume).default([]),
    serviceAccountName: subdomain("serviceAccountName").nullish().default("default"),
    restartPolicy: z.enum(["Never", "OnFailure"], { message: "a Job's restartPolicy is Never or OnFailure" }).default("Never"),
    container: containerSchema(),
  });
}

/** 0.50's Spec (`jobSpec`): deadlines, backoff, TTL and the pod template. */
function jobSpecSchema() {
  return z.strictObject({
    activeDeadlineSeconds: nonNegative().nullish().default(7200),
    backoffLimit: nonNegative().default(6),
    selector: z
      .strictObject({
        matchExpressions: z.array(
          z.strictObject({ key: z.string(), operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]), values: z.array(z.string()) }),
        ),
        matchLabels: z.record(z.string(), z.string()),
      })
      .nullish(),
    ttlSecondsAfterFinished: nonNegative().nullish().default(86_400),
    template: z.strictObject({
      metadata: z
        .strictObject({ generate_name: z.string().nullish(), annotations: z.record(z.string(), z.string()).nullish(), namespace: z.string().nullish() })
        .nullish(),
      spec: podSpecSchema(),
    }),
  });
}

/** The keys both Kubernetes job executors take (0.50's GenericK8sJobExecutor). */
function sharedKeys() {
  return {
    config_path: z.string().nullish(),
    mock: z.boolean().default(false),
    namespace: subdomain("namespace").default("default"),
    /** Makes a CronJob (runnable 0.43) instead of a Job: a cron schedule as Kubernetes takes it. */
    schedule: z
      .string()
      .nullish()
      .superRefine((value, context) => {
        const error = value ? cronScheduleError(value) : undefined;
        if (error) context.addIssue({ code: "custom", message: `is not a cron schedule Kubernetes accepts: ${error} (e.g. "0 2 * * *": every day at 2:00)` });
      }),
    jobSpec: jobSpecSchema(),
  };
}

/** `k8s-job`: the stores and catalog on a PersistentVolumeClaim (built when a config names it). */
export function buildK8sJobConfigSchema() {
  return z.strictObject({ ...sharedKeys(), pvc_claim_name: subdomain("pvc_claim_name") });
}

/** `mini-k8s-job`: the stores and catalog on host paths of the (single) node, e.g. minikube's. */
export function buildMiniK8sJobConfigSchema() {
  return z.strictObject({
    ...sharedKeys(),
    mini_k8s_run_log_location: z.string().startsWith("/").default("/volume/run_logs/"),
    mini_k8s_catalog_location: z.string().startsWith("/").default("/volume/catalog/"),
  });
}

/** The validated config of either executor. */
export type K8sJobConfig = z.output<ReturnType<typeof buildK8sJobConfigSchema>> | z.output<ReturnType<typeof buildMiniK8sJobConfigSchema>>;
