import { cronScheduleError } from "./cron.js";
import { dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, labelValueErrors, qualifiedNameErrors } from "./names.js";
import { duplicate, fieldNotFound, invalidValue, notSupported, required, type StatusCause } from "./status.js";

// The semantic checks the API server runs after decoding and defaulting (pkg/apis/batch/validation
// and pkg/apis/core/validation), for the fields a job executor writes. Each returns field causes
// for a 422 Invalid; the schema (schemas.ts) has already rejected unknown fields and wrong types.

type Obj = Record<string, any>;

/** Causes for `metadata`: name (DNS-1123 subdomain, at most `maxName` characters), labels, annotations. */
export function validateObjectMeta(meta: Obj, path: string, options: { maxName?: number; nameRequired?: boolean } = {}): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = meta["name"] as string | undefined;
  if (options.nameRequired !== false && !name) causes.push(required(`${path}.name`, "name or generateName is required"));
  if (name) {
    for (const error of dns1123SubdomainErrors(name)) causes.push(invalidValue(`${path}.name`, name, error));
    if (options.maxName && name.length > options.maxName) causes.push(invalidValue(`${path}.name`, name, `must be no more than ${options.maxName} characters`));
  }
  causes.push(...labelCauses(meta["labels"], `${path}.labels`));
  for (const key of Object.keys(meta["annotations"] ?? {})) {
    for (const error of qualifiedNameErrors(key)) causes.push(invalidValue(`${path}.annotations`, key, error));
  }
  return causes;
}

function labelCauses(labels: Obj | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const error of qualifiedNameErrors(key)) causes.push(invalidValue(path, key, error));
    for (const error of labelValueErrors(String(value ?? ""))) causes.push(invalidValue(path, String(value), error));
  }
  return causes;
}

const nonNegative = (spec: Obj, path: string, fields: string[]): StatusCause[] =>
  fields
    .filter((field) => typeof spec[field] === "number" && spec[field] < 0)
    .map((field) => invalidValue(`${path}.${field}`, spec[field], "must be greater than or equal to 0"));

/** Causes for a (defaulted) Job spec at `path` (`spec`, or `spec.jobTemplate.spec` in a CronJob). */
export function validateJobSpec(spec: Obj, path: string): StatusCause[] {
  const causes = nonNegative(spec, path, ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"]);
  if (spec["completionMode"] !== undefined && !["NonIndexed", "Indexed"].includes(spec["completionMode"])) {
    causes.push(notSupported(`${path}.completionMode`, spec["completionMode"], ["NonIndexed", "Indexed"]));
  }
  if (spec["completionMode"] === "Indexed" && spec["completions"] === undefined)
    causes.push(required(`${path}.completions`, "when completion mode is Indexed"));
  const template = (spec["template"] ?? {}) as Obj;
  causes.push(...labelCauses(template["metadata"]?.labels, `${path}.template.metadata.labels`));
  const podSpec = (template["spec"] ?? {}) as Obj;
  const restartPolicy = podSpec["restartPolicy"];
  if (restartPolicy !== "OnFailure" && restartPolicy !== "Never") {
    causes.push(notSupported(`${path}.template.spec.restartPolicy`, restartPolicy ?? "", ["OnFailure", "Never"]));
  }
  causes.push(...validatePodSpec(podSpec, `${path}.template.spec`));
  return causes;
}

/** Causes for a pod spec: containers (names, images), volumes and the mounts that refer to them, env names. */
export function validatePodSpec(spec: Obj, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const volumes = new Set<string>();
  for (const [i, volume] of ((spec["volumes"] ?? []) as Obj[]).entries()) {
    const name = volume["name"] as string | undefined;
    if (!name) continue; // the schema reports it as required
    for (const error of dns1123LabelErrors(name)) causes.push(invalidValue(`${path}.volumes[${i}].name`, name, error));
    if (volumes.has(name)) causes.push(duplicate(`${path}.volumes[${i}].name`, name));
    volumes.add(name);
    const sources = Object.keys(volume).filter((key) => key !== "name");
    if (sources.length === 0) causes.push(required(`${path}.volumes[${i}]`, "must specify a volume type"));
    if (sources.length > 1)
      causes.push({
        reason: "FieldValueForbidden",
        message: "Forbidden: may not specify more than 1 volume type",
        field: `${path}.volumes[${i}].${sources[1]}`,
      });
    if (volume["hostPath"] && !volume["hostPath"].path) causes.push(required(`${path}.volumes[${i}].hostPath.path`));
    if (volume["persistentVolumeClaim"] && !volume["persistentVolumeClaim"].claimName)
      causes.push(required(`${path}.volumes[${i}].persistentVolumeClaim.claimName`));
  }
  const containers = (spec["containers"] ?? []) as Obj[];
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  const names = new Set<string>();
  for (const [kind, list] of [
    ["initContainers", (spec["initContainers"] ?? []) as Obj[]],
    ["containers", containers],
  ] as const) {
    for (const [i, container] of list.entries()) causes.push(...validateContainer(container, `${path}.${kind}[${i}]`, names, volumes));
  }
  return causes;
}

function validateContainer(container: Obj, path: string, names: Set<string>, volumes: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = container["name"] as string | undefined;
  if (name) {
    for (const error of dns1123LabelErrors(name)) causes.push(invalidValue(`${path}.name`, name, error));
    if (names.has(name)) causes.push(duplicate(`${path}.name`, name));
    names.add(name);
  }
  const image = container["image"] as string | undefined;
  if (!image) causes.push(required(`${path}.image`));
  else if (image.trim() !== image) causes.push(invalidValue(`${path}.image`, image, "must not have leading or trailing whitespace"));
  for (const [i, env] of ((container["env"] ?? []) as Obj[]).entries()) {
    for (const error of envVarNameErrors(env["name"] ?? "")) causes.push(invalidValue(`${path}.env[${i}].name`, env["name"], error));
    if (env["valueFrom"] && env["value"]) causes.push(invalidValue(`${path}.env[${i}].valueFrom`, "", "may not be specified when `value` is not empty"));
  }
  const mountPaths = new Set<string>();
  for (const [i, mount] of ((container["volumeMounts"] ?? []) as Obj[]).entries()) {
    if (mount["name"] && !volumes.has(mount["name"])) causes.push(fieldNotFound(`${path}.volumeMounts[${i}].name`, mount["name"]));
    if (mountPaths.has(mount["mountPath"])) causes.push(invalidValue(`${path}.volumeMounts[${i}].mountPath`, mount["mountPath"], "must be unique"));
    mountPaths.add(mount["mountPath"]);
  }
  return causes;
}

/** Causes for a (defaulted) CronJob spec: schedule (robfig/cron standard syntax, no TZ), time zone, limits, job template. */
export function validateCronJobSpec(spec: Obj, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const schedule = spec["schedule"] as string | undefined;
  if (!schedule) causes.push(required(`${path}.schedule`));
  else {
    const error = cronScheduleError(schedule);
    if (error) causes.push(invalidValue(`${path}.schedule`, schedule, error));
    if (schedule.includes("TZ")) causes.push(invalidValue(`${path}.schedule`, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  }
  const timeZone = spec["timeZone"] as string | undefined;
  if (timeZone !== undefined && !validTimeZone(timeZone)) causes.push(invalidValue(`${path}.timeZone`, timeZone, `unknown time zone ${timeZone}`));
  if (!["Allow", "Forbid", "Replace"].includes(spec["concurrencyPolicy"])) {
    causes.push(notSupported(`${path}.concurrencyPolicy`, spec["concurrencyPolicy"] ?? "", ["Allow", "Forbid", "Replace"]));
  }
  causes.push(...nonNegative(spec, path, ["startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"]));
  causes.push(...validateJobSpec(spec["jobTemplate"]?.spec ?? {}, `${path}.jobTemplate.spec`));
  return causes;
}

function validTimeZone(zone: string): boolean {
  if (zone === "" || zone.includes(" ")) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
