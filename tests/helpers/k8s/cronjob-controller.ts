import { timestamp } from "./defaults.js";
import { CRONJOBS, JOBS, type ObjectStore } from "./store.js";

// The CronJob controller's part that a test can drive: no clock, a schedule "tick" is
// `trigger()`, which creates the Job from the job template as the controller does (name
// `<cronjob>-<minutes since epoch>`, owner reference, scheduled-timestamp annotation, concurrency
// policy, suspension); finished Jobs update `status` and are pruned to the history limits
// (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/).

type Obj = Record<string, any>;

const finishedType = (job: Obj): string | undefined =>
  ((job["status"]?.conditions ?? []) as Obj[]).find((c) => (c["type"] === "Complete" || c["type"] === "Failed") && c["status"] === "True")?.type;

const ownerOf = (job: Obj): Obj | undefined =>
  ((job["metadata"].ownerReferences ?? []) as Obj[]).find((ref) => ref["kind"] === "CronJob" && ref["apiVersion"] === "batch/v1" && ref["controller"] === true);

/** CronJob bookkeeping around the Jobs it owns. */
export class CronJobController {
  constructor(
    private readonly store: ObjectStore,
    private readonly createJob: (namespace: string, job: Obj) => Obj,
    private readonly deleteJob: (namespace: string, name: string, policy: string) => Promise<void>,
  ) {}

  /** One schedule tick: the Job it creates, or undefined when suspended or forbidden by the concurrency policy. */
  async trigger(namespace: string, name: string, options: { jobName?: string; scheduledAt?: Date } = {}): Promise<Obj | undefined> {
    const cronJob = this.store.get(CRONJOBS, namespace, name);
    if (!cronJob) throw new Error(`no CronJob ${namespace}/${name}`);
    const spec = cronJob["spec"] as Obj;
    if (spec["suspend"]) return undefined;
    const active = ((cronJob["status"]?.active ?? []) as Obj[]).filter((ref) => this.store.get(JOBS, namespace, ref["name"]));
    if (active.length && spec["concurrencyPolicy"] === "Forbid") return undefined;
    if (active.length && spec["concurrencyPolicy"] === "Replace") await Promise.all(active.map((ref) => this.deleteJob(namespace, ref["name"], "Background")));
    const scheduled = options.scheduledAt ?? new Date();
    const template = spec["jobTemplate"] as Obj;
    const job = this.createJob(namespace, {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: options.jobName ?? `${name}-${Math.floor(scheduled.getTime() / 60000)}`,
        ...(template["metadata"]?.labels ? { labels: structuredClone(template["metadata"].labels) } : {}),
        annotations: { ...(template["metadata"]?.annotations ?? {}), "batch.kubernetes.io/cronjob-scheduled-timestamp": timestamp(scheduled.getTime()) },
        ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name, uid: cronJob["metadata"].uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(template["spec"]),
    });
    this.store.update(CRONJOBS, namespace, name, (stored) => (stored["status"].lastScheduleTime = timestamp(scheduled.getTime())));
    return job;
  }

  /** A Job was created: if a CronJob controls it, it joins `status.active` (as the controller adopts it). */
  jobCreated(job: Obj): void {
    const owner = ownerOf(job);
    if (!owner) return;
    const ref = {
      apiVersion: "batch/v1",
      kind: "Job",
      name: job["metadata"].name,
      namespace: job["metadata"].namespace,
      uid: job["metadata"].uid,
      resourceVersion: job["metadata"].resourceVersion,
    };
    this.store.update(CRONJOBS, job["metadata"].namespace, owner["name"], (stored) => {
      if (stored["metadata"].uid === owner["uid"]) stored["status"].active = [...(stored["status"].active ?? []), ref];
    });
  }

  /** A Job finished: it leaves `status.active`, success sets `lastSuccessfulTime`, old finished Jobs beyond the history limits go. */
  jobFinished(job: Obj): void {
    const owner = ownerOf(job);
    if (!owner) return;
    const { namespace } = job["metadata"];
    const cronJob = this.store.update(CRONJOBS, namespace, owner["name"], (stored) => {
      if (stored["metadata"].uid !== owner["uid"]) return;
      const active = ((stored["status"].active ?? []) as Obj[]).filter((ref) => ref["uid"] !== job["metadata"].uid);
      if (active.length) stored["status"].active = active;
      else delete stored["status"].active;
      if (finishedType(job) === "Complete") stored["status"].lastSuccessfulTime = job["status"].completionTime;
    });
    if (!cronJob || cronJob["metadata"].uid !== owner["uid"]) return;
    const owned = this.store.list(JOBS, namespace).filter((candidate) => ownerOf(candidate)?.uid === owner["uid"]);
    for (const [type, limit] of [
      ["Complete", cronJob["spec"].successfulJobsHistoryLimit],
      ["Failed", cronJob["spec"].failedJobsHistoryLimit],
    ] as const) {
      const finished = owned
        .filter((candidate) => finishedType(candidate) === type)
        .sort((a, b) => Number(a["metadata"].resourceVersion) - Number(b["metadata"].resourceVersion));
      for (const old of finished.slice(0, Math.max(0, finished.length - limit))) void this.deleteJob(namespace, old["metadata"].name, "Background");
    }
  }
}
