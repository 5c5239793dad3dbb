import { randomBytes, randomUUID } from "node:crypto";

// What the API server fills in on create, so a client reading the object back sees what a cluster
// returns: metadata (uid, resourceVersion, creationTimestamp, generation), the defaults of
// pkg/apis/batch/v1/defaults.go and pkg/apis/core/v1/defaults.go, and the Job's generated selector
// and labels (the batch strategy's generateSelector).

type Obj = Record<string, any>;

/** Kubernetes timestamps: RFC 3339 in UTC with whole seconds. */
export function timestamp(ms = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

// The alphabet of utilrand.String (no vowels or look-alike characters).
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** A random suffix as generateName and the Job controller's pod names use (5 characters). */
export function randomSuffix(length = 5): string {
  return [...randomBytes(length)].map((byte) => ALPHABET[byte % ALPHABET.length]).join("");
}

/** Fills `metadata` of a new object: name from generateName, uid, namespace, creationTimestamp, generation. */
export function defaultMetadata(object: Obj, namespace: string): void {
  const meta = (object["metadata"] ??= {}) as Obj;
  if (!meta["name"] && meta["generateName"]) meta["name"] = `${meta["generateName"]}${randomSuffix()}`;
  meta["namespace"] = namespace;
  meta["uid"] = randomUUID();
  meta["creationTimestamp"] = timestamp();
  meta["generation"] = 1;
  for (const key of ["resourceVersion", "deletionTimestamp", "selfLink"]) delete meta[key];
}

/** Pod spec defaults: restart policy, DNS, scheduler, grace period, and per container pull policy and termination message. */
export function defaultPodSpec(spec: Obj): void {
  spec["restartPolicy"] ??= "Always";
  spec["dnsPolicy"] ??= "ClusterFirst";
  spec["schedulerName"] ??= "default-scheduler";
  spec["securityContext"] ??= {};
  spec["terminationGracePeriodSeconds"] ??= 30;
  for (const container of [...(spec["initContainers"] ?? []), ...(spec["containers"] ?? [])] as Obj[]) {
    container["terminationMessagePath"] ??= "/dev/termination-log";
    container["terminationMessagePolicy"] ??= "File";
    container["resources"] ??= {};
    container["imagePullPolicy"] ??= pullPolicy(String(container["image"] ?? ""));
  }
  for (const volume of (spec["volumes"] ?? []) as Obj[]) {
    if (volume["hostPath"]) volume["hostPath"].type ??= "";
    if (volume["secret"]) volume["secret"].defaultMode ??= 420;
    if (volume["configMap"]) volume["configMap"].defaultMode ??= 420;
  }
}

// Always for `:latest` or no tag, IfNotPresent otherwise (a digest counts as a tag).
function pullPolicy(image: string): string {
  if (image.includes("@")) return "IfNotPresent";
  const lastPart = image.split("/").at(-1) ?? "";
  const tag = lastPart.includes(":") ? lastPart.split(":").at(-1) : undefined;
  return !tag || tag === "latest" ? "Always" : "IfNotPresent";
}

/** Job defaults and the generated selector/labels; `minor` is the Kubernetes minor version (fields appear by version). */
export function defaultJob(job: Obj, minor: number): void {
  const spec = (job["spec"] ??= {}) as Obj;
  if (spec["completions"] === undefined && spec["parallelism"] === undefined) {
    spec["completions"] = 1;
    spec["parallelism"] = 1;
  }
  spec["parallelism"] ??= 1;
  spec["backoffLimit"] ??= spec["backoffLimitPerIndex"] !== undefined ? 2147483647 : 6;
  spec["completionMode"] ??= "NonIndexed";
  spec["suspend"] ??= false;
  if (minor >= 29 && !spec["podFailurePolicy"]) spec["podReplacementPolicy"] ??= "TerminatingOrFailed";
  const template = (spec["template"] ??= {}) as Obj;
  defaultPodSpec((template["spec"] ??= {}) as Obj);
  if (spec["manualSelector"] !== true) {
    const uid = job["metadata"].uid as string;
    const name = job["metadata"].name as string;
    const labels = ((template["metadata"] ??= {}).labels ??= {}) as Obj;
    Object.assign(labels, { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name });
    spec["selector"] ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
  }
  const meta = job["metadata"] as Obj;
  if (!meta["labels"] || Object.keys(meta["labels"]).length === 0) meta["labels"] = { ...(template["metadata"]?.labels ?? {}) };
  job["status"] = {};
}

/** CronJob defaults (policy, suspend, history limits) and the pod defaults of its job template. */
export function defaultCronJob(cronJob: Obj): void {
  const spec = (cronJob["spec"] ??= {}) as Obj;
  spec["concurrencyPolicy"] ??= "Allow";
  spec["suspend"] ??= false;
  spec["successfulJobsHistoryLimit"] ??= 3;
  spec["failedJobsHistoryLimit"] ??= 1;
  const jobSpec = ((spec["jobTemplate"] ??= {}).spec ??= {}) as Obj;
  defaultPodSpec(((jobSpec["template"] ??= {}).spec ??= {}) as Obj);
  cronJob["status"] = {};
}
