import { CronJobController } from "./cronjob-controller.js";
import { defaultCronJob, defaultJob, defaultMetadata } from "./defaults.js";
import { JobController } from "./job-controller.js";
import { applyPatch } from "./patch.js";
import type { PodContext } from "./pod-spec.js";
import type { PodRunner } from "./pod-runner.js";
import { kubernetesSchemas } from "./schemas.js";
import { fieldSelector, labelSelector } from "./selectors.js";
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  invalidValue,
  methodNotAllowed,
  namespaceNotFound,
  notFound,
  type StatusCause,
} from "./status.js";
import { apiVersionOf, CRONJOBS, JOBS, ObjectStore, PODS, type ResourceType } from "./store.js";
import { validateCronJobSpec, validateJobSpec, validateObjectMeta } from "./validation.js";

// The API server's object handling behind the HTTP routes: authorization by namespace, decoding
// against the Kubernetes schema (strict), defaulting, validation, storage, and the controllers.

type Obj = Record<string, any>;

/** Settings of the emulated API server. */
export interface ApiOptions {
  k8sVersion: string;
  /** Namespaces that exist. */
  namespaces: string[];
  /** Namespaces the kubeconfig's user may use (RBAC); others answer 403. Defaults to `namespaces`. */
  allowedNamespaces?: string[];
  /** The user name in 403 messages. */
  user: string;
  runner: PodRunner;
  podContext: Omit<PodContext, "secret" | "configMap">;
  backoffBaseMs: number;
}

/** Options of list requests. */
export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
}

const IMMUTABLE_JOB_FIELDS = ["template", "selector", "completionMode", "podFailurePolicy", "manualSelector"];

/** Objects, validation and controllers of the stand-in. */
export class KubeApi {
  readonly store = new ObjectStore();
  readonly namespaces: Set<string>;
  readonly secrets = new Map<string, Record<string, string>>();
  readonly configMaps = new Map<string, Record<string, string>>();
  readonly jobs: JobController;
  readonly cronJobs: CronJobController;
  private readonly minor: number;

  constructor(private readonly options: ApiOptions) {
    this.namespaces = new Set(options.namespaces);
    this.minor = Number(options.k8sVersion.replace(/^v/, "").split(".")[1]);
    kubernetesSchemas(options.k8sVersion); // compile the schemas up front, not in the first request
    const podContext: PodContext = {
      ...options.podContext,
      secret: (namespace, name) => this.secrets.get(`${namespace}/${name}`),
      configMap: (namespace, name) => this.configMaps.get(`${namespace}/${name}`),
    };
    this.jobs = new JobController({
      store: this.store,
      runner: options.runner,
      podContext,
      minor: this.minor,
      backoffBaseMs: options.backoffBaseMs,
      onJobFinished: (job) => this.cronJobs.jobFinished(job),
    });
    this.cronJobs = new CronJobController(
      this.store,
      (namespace, job) => this.create(JOBS, namespace, job),
      async (namespace, name, policy) => this.jobs.deleteJob(namespace, name, policy)?.gone,
    );
  }

  /** 403 unless the user may use the namespace (the stand-in's RBAC: one rule, by namespace). */
  authorize(type: ResourceType & { subresource?: string }, verb: string, namespace: string | undefined, name?: string): void {
    const allowed = this.options.allowedNamespaces ?? this.options.namespaces;
    if (namespace !== undefined && !allowed.includes(namespace)) throw forbidden(type, verb, this.options.user, namespace, name);
  }

  /** Creates a Job or CronJob as POST does: 400 on decoding, 404 for a missing namespace, 422 on validation, 409 on a taken name. */
  create(type: ResourceType, namespace: string, body: Obj, options: { dryRun?: boolean } = {}): Obj {
    if (type !== JOBS && type !== CRONJOBS) throw methodNotAllowed();
    const { object, required } = this.decode(type, namespace, body);
    if (!this.namespaces.has(namespace)) throw namespaceNotFound(namespace);
    const causes: StatusCause[] = [...required];
    if (type === JOBS && object["spec"]?.selector && object["spec"]?.manualSelector !== true) {
      causes.push(invalidValue("spec.selector", object["spec"].selector, "`selector` will be auto-generated"));
    }
    defaultMetadata(object, namespace);
    if (type === JOBS) defaultJob(object, this.minor);
    else defaultCronJob(object);
    causes.push(...this.validate(type, object));
    const name = object["metadata"].name ?? "";
    if (causes.length) throw invalid(type.kind, type.group, name, causes);
    if (this.store.get(type, namespace, name)) throw alreadyExists(type, name);
    if (options.dryRun) return object;
    const stored = this.store.create(type, object);
    if (type === JOBS) {
      this.cronJobs.jobCreated(stored);
      setImmediate(() => this.jobs.sync(namespace, name));
    }
    return stored;
  }

  // apiVersion/kind must match the endpoint; then the schema decides (wrong types and unknown fields: 400).
  private decode(type: ResourceType, namespace: string, body: Obj): { object: Obj; required: StatusCause[] } {
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request was in an unknown format");
    const apiVersion = apiVersionOf(type);
    if (body["apiVersion"] !== undefined && body["apiVersion"] !== apiVersion) {
      throw badRequest(`the API version in the data (${body["apiVersion"]}) does not match the expected API version (${apiVersion})`);
    }
    if (body["kind"] !== undefined && body["kind"] !== type.kind)
      throw badRequest(`${body["kind"]} in version "${type.version}" cannot be handled as a ${type.kind}: no kind "${body["kind"]}" is registered`);
    if (body["metadata"]?.namespace && body["metadata"].namespace !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const object = { ...structuredClone(body), apiVersion, kind: type.kind };
    return { object, required: kubernetesSchemas(this.options.k8sVersion).decode(type.kind, apiVersion, object) };
  }

  private validate(type: ResourceType, object: Obj): StatusCause[] {
    const meta = validateObjectMeta(object["metadata"], "metadata", type === CRONJOBS ? { maxName: 52 } : {});
    const spec = type === JOBS ? validateJobSpec(object["spec"], "spec") : validateCronJobSpec(object["spec"], "spec");
    return [...meta, ...spec];
  }

  /** One object, or 404. */
  get(type: ResourceType, namespace: string | undefined, name: string): Obj {
    const object = this.store.get(type, namespace, name);
    if (!object) throw notFound(type, name);
    return object;
  }

  /** A `<Kind>List` with selectors and paging (`limit`, `continue`) applied. */
  list(type: ResourceType, namespace: string | undefined, options: ListOptions = {}): Obj {
    const byLabel = labelSelector(options.labelSelector);
    const byField = fieldSelector(options.fieldSelector, type.kind);
    const resourceVersion = this.store.resourceVersion();
    let items = this.store.list(type, namespace).filter((object) => byLabel(object) && byField(object));
    let start = 0;
    if (options.continue) {
      const token = JSON.parse(Buffer.from(options.continue, "base64").toString()) as { start: number };
      start = token.start;
    }
    const limit = options.limit && options.limit > 0 ? options.limit : Number.POSITIVE_INFINITY;
    const remaining = items.length - start - limit;
    items = items.slice(start, start + limit);
    const more = remaining > 0 ? { continue: Buffer.from(JSON.stringify({ start: start + limit })).toString("base64"), remainingItemCount: remaining } : {};
    for (const item of items) {
      delete item["apiVersion"];
      delete item["kind"];
    }
    return { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: { resourceVersion, ...more }, items };
  }

  /** PATCH (merge, strategic-as-merge, JSON patch) of metadata and spec; immutable Job fields answer 422. */
  patch(type: ResourceType, namespace: string, name: string, body: unknown, contentType: string, options: { dryRun?: boolean } = {}): Obj {
    if (type !== JOBS && type !== CRONJOBS) throw methodNotAllowed();
    const current = this.get(type, namespace, name);
    const patched = applyPatch(current, body, contentType);
    const wanted = patched["metadata"]?.resourceVersion;
    if (wanted && wanted !== current["metadata"].resourceVersion) {
      throw conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    for (const key of ["name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion"]) patched["metadata"][key] = current["metadata"][key];
    patched["status"] = current["status"];
    const causes = [...this.decode(type, namespace, patched).required, ...this.validate(type, patched)];
    if (type === JOBS) {
      for (const field of IMMUTABLE_JOB_FIELDS) {
        if (JSON.stringify(patched["spec"][field]) !== JSON.stringify(current["spec"][field]))
          causes.push(invalidValue(`spec.${field}`, patched["spec"][field] ?? null, "field is immutable"));
      }
    }
    if (causes.length) throw invalid(type.kind, type.group, name, causes);
    if (options.dryRun) return patched;
    const specChanged = JSON.stringify(patched["spec"]) !== JSON.stringify(current["spec"]);
    const updated = this.store.update(type, namespace, name, (stored) => {
      stored["metadata"] = { ...patched["metadata"], generation: current["metadata"].generation + (specChanged ? 1 : 0) };
      stored["spec"] = patched["spec"];
    })!;
    if (type === JOBS && current["spec"].suspend !== patched["spec"].suspend) {
      setImmediate(() => (patched["spec"].suspend ? this.jobs.sync(namespace, name) : this.jobs.resumed(namespace, name)));
    }
    return updated;
  }

  /** DELETE with a propagation policy (Jobs default to Orphan in batch/v1, CronJobs to Background). */
  delete(type: ResourceType, namespace: string, name: string, options: { propagationPolicy?: string; dryRun?: boolean } = {}): Obj {
    const current = this.get(type, namespace, name);
    if (options.dryRun) return current;
    const policy = options.propagationPolicy ?? (type === JOBS ? "Orphan" : "Background");
    if (!["Orphan", "Background", "Foreground"].includes(policy)) {
      throw invalid("DeleteOptions", "", "", [
        {
          reason: "FieldValueNotSupported",
          message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
          field: "propagationPolicy",
        },
      ]);
    }
    if (type === JOBS) return this.jobs.deleteJob(namespace, name, policy)!.object;
    if (type === PODS) return this.jobs.deletePod(current);
    const deleted = this.store.delete(type, namespace, name)!;
    if (policy !== "Orphan") {
      const owned = this.store
        .list(JOBS, namespace)
        .filter((job) => job["metadata"].ownerReferences?.some((ref: Obj) => ref["uid"] === current["metadata"].uid));
      for (const job of owned) void this.jobs.deleteJob(namespace, job["metadata"].name, "Background")?.gone;
    }
    return deleted;
  }
}
