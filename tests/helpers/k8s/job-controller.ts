import { timestamp } from "./defaults.js";
import { collapseIndexes, expandIndexes } from "./indexes.js";
import type { PodContext } from "./pod-spec.js";
import type { ContainerLog, PodRunner } from "./pod-runner.js";
import { type PodHost, type PodRun, PodWorker } from "./pod-worker.js";
import { containerExited, newJobPod, terminating, waiting } from "./pods.js";
import { JOBS, type ObjectStore, PODS } from "./store.js";

// The Job controller (https://kubernetes.io/docs/concepts/workloads/controllers/job/): creates pods
// up to parallelism/completions, counts succeeded and failed pods, retries (a new pod each time
// under restartPolicy Never) until backoffLimit, enforces activeDeadlineSeconds, sets the status
// fields and conditions, and deletes finished Jobs after ttlSecondsAfterFinished.

type Obj = Record<string, any>;

/** What the controller needs from the stand-in. */
export interface JobControllerOptions {
  store: ObjectStore;
  runner: PodRunner;
  podContext: PodContext;
  /** The emulated Kubernetes minor version (1.31+ adds SuccessCriteriaMet/FailureTarget before Complete/Failed). */
  minor: number;
  /** The first retry delay; doubles with each failure (a cluster uses 10 s, capped at 6 min). */
  backoffBaseMs: number;
  /** Called when a Job reaches Complete or Failed (the CronJob controller updates its owner). */
  onJobFinished(job: Obj): void;
}

const isFinished = (job: Obj): boolean =>
  ((job["status"]?.conditions ?? []) as Obj[]).some((c) => (c["type"] === "Complete" || c["type"] === "Failed") && c["status"] === "True");
const isActive = (pod: Obj): boolean => (pod["status"].phase === "Pending" || pod["status"].phase === "Running") && !pod["metadata"].deletionTimestamp;
const condition = (type: string, reason?: string, message?: string): Obj => ({
  type,
  status: "True",
  lastProbeTime: timestamp(),
  lastTransitionTime: timestamp(),
  ...(reason ? { reason, message } : {}),
});

/** Drives Jobs and their pods. */
export class JobController implements PodHost {
  readonly store: ObjectStore;
  readonly runner: PodRunner;
  readonly podContext: PodContext;
  /** Every container run, in start order (for tests: launches, logs, exits). */
  readonly runs: PodRun[] = [];
  private readonly workers = new Map<string, PodWorker>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly nextAttempt = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: JobControllerOptions) {
    ({ store: this.store, runner: this.runner, podContext: this.podContext } = options);
  }

  private ownedPods(job: Obj): Obj[] {
    return this.store
      .list(PODS, job["metadata"].namespace)
      .filter((pod) => pod["metadata"].ownerReferences?.some((ref: Obj) => ref["uid"] === job["metadata"].uid));
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) action();
    }, ms);
    this.timers.add(timer);
  }

  /** Reconciles one Job: suspension, deadline, backoff limit, completion, then pods to create and the status counts. */
  sync(namespace: string, name: string): void {
    const job = this.store.get(JOBS, namespace, name);
    if (this.stopped || !job || isFinished(job) || job["metadata"].deletionTimestamp) return;
    const spec = job["spec"] as Obj;
    const status = (job["status"] ??= {}) as Obj;
    const active = this.ownedPods(job).filter(isActive);
    const startTime = status["startTime"] ? Date.parse(status["startTime"]) : Date.now();
    const deadline = spec["activeDeadlineSeconds"] !== undefined ? startTime + spec["activeDeadlineSeconds"] * 1000 : undefined;
    if (this.ended(job, active, deadline)) return;
    const completions = spec["completions"] ?? 1;
    const wanted = Math.min(spec["parallelism"], completions - (status["succeeded"] ?? 0)) - active.length;
    const waitUntil = this.nextAttempt.get(job["metadata"].uid) ?? 0;
    if (wanted > 0 && Date.now() < waitUntil) this.later(waitUntil - Date.now(), () => this.sync(namespace, name));
    else for (let i = 0; i < wanted; i++) active.push(this.startPod(job, active));
    this.updateStatus(job, active, status["startTime"] ? {} : { startTime: timestamp(startTime) });
    if (deadline !== undefined && !status["startTime"]) this.later(deadline - Date.now(), () => this.sync(namespace, name));
  }

  // Suspends, fails or completes the Job when it is time to; true when it did.
  private ended(job: Obj, active: Obj[], deadline: number | undefined): boolean {
    const { spec, status } = job as { spec: Obj; status: Obj };
    if (spec["suspend"]) this.suspend(job, active);
    else if (deadline !== undefined && Date.now() >= deadline) this.fail(job, active, "DeadlineExceeded", "Job was active longer than specified deadline");
    else if (spec["template"].spec.restartPolicy === "Never" && (status["failed"] ?? 0) > spec["backoffLimit"]) {
      this.fail(job, active, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    } else if ((status["succeeded"] ?? 0) >= (spec["completions"] ?? 1)) this.complete(job);
    else return false;
    return true;
  }

  private startPod(job: Obj, active: Obj[]): Obj {
    const indexed = job["spec"].completionMode === "Indexed";
    const index = indexed ? this.freeIndex(job, active) : undefined;
    const pod = this.store.create(PODS, newJobPod(job, index));
    const worker = new PodWorker(this, pod["metadata"].namespace, pod["metadata"].name);
    this.workers.set(pod["metadata"].uid, worker);
    const { namespace, name, uid } = pod["metadata"];
    void worker
      .run()
      .catch((error: Error) =>
        // What the kubelet could not do (a folder it could not make, a runner that threw) leaves the pod waiting, as RunContainerError.
        this.store.update(PODS, namespace, name, (stored) => {
          for (const container of stored["spec"].containers as Obj[]) waiting(stored, container["name"], "RunContainerError", error.message);
        }),
      )
      .finally(() => this.workers.get(uid) === worker && this.workers.delete(uid));
    return pod;
  }

  // The lowest completion index neither completed nor running.
  private freeIndex(job: Obj, active: Obj[]): number {
    const taken = new Set([
      ...expandIndexes(job["status"]?.completedIndexes),
      ...active.map((pod) => Number(pod["metadata"].labels["batch.kubernetes.io/job-completion-index"])),
    ]);
    let index = 0;
    while (taken.has(index)) index++;
    return index;
  }

  private updateStatus(job: Obj, active: Obj[], extra: Obj): void {
    const ready = active.filter((pod) => pod["status"].conditions?.some((c: Obj) => c["type"] === "Ready" && c["status"] === "True")).length;
    const next = { ...job["status"], ...extra, ready, ...(this.options.minor >= 29 ? { terminating: 0 } : {}), uncountedTerminatedPods: {} } as Obj;
    if (active.length) next["active"] = active.length;
    else delete next["active"];
    if (JSON.stringify(next) === JSON.stringify(job["status"])) return;
    this.store.update(JOBS, job["metadata"].namespace, job["metadata"].name, (stored) => (stored["status"] = next));
  }

  /** Called by a pod worker: counts the pod, applies the retry delay, and reconciles the Job. */
  podFinished(pod: Obj, phase: string): void {
    const owner = (pod["metadata"].ownerReferences as Obj[] | undefined)?.find((ref) => ref["kind"] === "Job");
    this.store.update(PODS, pod["metadata"].namespace, pod["metadata"].name, (stored) => (stored["metadata"].finalizers = []));
    if (!owner) return;
    const job = this.store.update(JOBS, pod["metadata"].namespace, owner["name"], (stored) => {
      if (stored["metadata"].uid !== owner["uid"] || isFinished(stored)) return;
      const status = (stored["status"] ??= {}) as Obj;
      if (phase === "Succeeded") {
        status["succeeded"] = (status["succeeded"] ?? 0) + 1;
        const index = pod["metadata"].labels?.["batch.kubernetes.io/job-completion-index"];
        if (index !== undefined) status["completedIndexes"] = collapseIndexes([...expandIndexes(status["completedIndexes"]), Number(index)]);
      } else status["failed"] = (status["failed"] ?? 0) + 1;
    });
    if (!job || job["metadata"].uid !== owner["uid"]) return;
    if (phase === "Failed") this.nextAttempt.set(owner["uid"], Date.now() + (this.options.backoffBaseMs * 2 ** ((job["status"].failed ?? 1) - 1) || 0));
    this.sync(job["metadata"].namespace, job["metadata"].name);
  }

  /** restartPolicy OnFailure: restarts count against backoffLimit; past it the Job fails. */
  restartAllowed(pod: Obj): boolean {
    const owner = (pod["metadata"].ownerReferences as Obj[])[0]!;
    const job = this.store.get(JOBS, pod["metadata"].namespace, owner["name"]);
    if (!job || isFinished(job)) return false;
    const restarts = this.ownedPods(job)
      .flatMap((p) => (p["status"].containerStatuses ?? []) as Obj[])
      .reduce((sum, status) => sum + (status["restartCount"] ?? 0), 0);
    if (restarts < job["spec"].backoffLimit) return true;
    this.fail(job, this.ownedPods(job).filter(isActive), "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    return false;
  }

  private complete(job: Obj): void {
    const reason = this.options.minor >= 31 ? ["CompletionsReached", "Reached expected number of succeeded pods"] : [];
    const finished = this.finishStatus(job, [
      ...(this.options.minor >= 31 ? [condition("SuccessCriteriaMet", ...reason)] : []),
      condition("Complete", ...reason),
    ]);
    finished["completionTime"] = timestamp();
    this.finished(job, finished);
  }

  private fail(job: Obj, active: Obj[], reason: string, message: string): void {
    const status = this.finishStatus(job, [
      ...(this.options.minor >= 31 ? [condition("FailureTarget", reason, message)] : []),
      condition("Failed", reason, message),
    ]);
    status["failed"] = (status["failed"] ?? 0) + active.length;
    for (const pod of active) void this.killPod(pod, reason, message, { remove: true });
    this.finished(job, status);
  }

  private finishStatus(job: Obj, conditions: Obj[]): Obj {
    const status = {
      ...job["status"],
      conditions: [...(job["status"].conditions ?? []), ...conditions],
      ready: 0,
    };
    delete status["active"];
    return status;
  }

  private finished(job: Obj, status: Obj): void {
    const done = this.store.update(JOBS, job["metadata"].namespace, job["metadata"].name, (stored) => (stored["status"] = status));
    if (!done) return;
    this.options.onJobFinished(done);
    const ttl = done["spec"].ttlSecondsAfterFinished;
    if (ttl !== undefined) this.later(ttl * 1000, () => void this.deleteJob(done["metadata"].namespace, done["metadata"].name, "Foreground")?.gone);
  }

  private suspend(job: Obj, active: Obj[]): void {
    for (const pod of active) void this.killPod(pod, "JobSuspended", "Job suspended", { remove: true });
    if (job["status"].conditions?.some((c: Obj) => c["type"] === "Suspended")) return;
    const status = { ...job["status"], conditions: [...(job["status"].conditions ?? []), condition("Suspended", "JobSuspended", "Job suspended")], ready: 0 };
    delete status["active"];
    delete status["startTime"];
    this.store.update(JOBS, job["metadata"].namespace, job["metadata"].name, (stored) => (stored["status"] = status));
  }

  /** Resumes a Job whose `spec.suspend` went back to false (the Suspended condition turns False). */
  resumed(namespace: string, name: string): void {
    this.store.update(JOBS, namespace, name, (stored) => {
      for (const c of (stored["status"]?.conditions ?? []) as Obj[])
        if (c["type"] === "Suspended") Object.assign(c, { status: "False", reason: "JobResumed", message: "Job resumed", lastTransitionTime: timestamp() });
    });
    this.sync(namespace, name);
  }

  /** Kills a pod's containers; it ends Failed with a DisruptionTarget condition, and is removed when `remove`. */
  async killPod(pod: Obj, reason: string, message: string, options: { remove: boolean }): Promise<void> {
    const { namespace, name, uid } = pod["metadata"];
    this.store.update(PODS, namespace, name, (stored) => terminating(stored, reason, message));
    await this.workers.get(uid)?.kill();
    this.workers.delete(uid);
    const killed = this.store.update(PODS, namespace, name, (stored) => {
      for (const container of stored["spec"].containers as Obj[]) {
        const status = (stored["status"].containerStatuses ?? []).find((s: Obj) => s["name"] === container["name"]);
        if (!status?.state?.terminated) containerExited(stored, container["name"], { exitCode: 137, reason: "Error" }, status?.restartCount);
      }
      stored["status"].phase = "Failed";
      stored["metadata"].finalizers = [];
    });
    if (killed && options.remove) this.store.delete(PODS, namespace, name);
  }

  /** DELETE of a pod: a running one is killed and counts as failed for its Job (which replaces it); returns it marked for deletion. */
  deletePod(pod: Obj): Obj {
    const { namespace, name } = pod["metadata"];
    if (!isActive(pod)) return this.store.delete(PODS, namespace, name)!;
    void this.killPod(pod, "DeletionByUser", "Pod deleted", { remove: true }).then(() => this.podFinished(pod, "Failed"));
    return this.store.get(PODS, namespace, name) ?? pod;
  }

  /**
   * Deletes a Job as the garbage collector would for the propagation policy. Background removes it at
   * once and then its pods; Foreground and Orphan first mark it (deletionTimestamp and a finalizer),
   * then remove or release the pods, then the Job. Returns the Job as the DELETE answers it and a
   * promise of its removal.
   */
  deleteJob(namespace: string, name: string, policy: string): { object: Obj; gone: Promise<void> } | undefined {
    const job = this.store.get(JOBS, namespace, name);
    if (!job) return undefined;
    const pods = this.ownedPods(job);
    const object =
      policy === "Background"
        ? this.store.delete(JOBS, namespace, name)!
        : this.store.update(JOBS, namespace, name, (stored) => {
            Object.assign(stored["metadata"], {
              deletionTimestamp: timestamp(),
              deletionGracePeriodSeconds: 0,
              finalizers: [policy === "Orphan" ? "orphan" : "foregroundDeletion"],
            });
          })!;
    const gone = (async () => {
      if (policy === "Orphan") {
        for (const pod of pods) this.store.update(PODS, namespace, pod["metadata"].name, (stored) => delete stored["metadata"].ownerReferences);
      } else {
        const remove = (pod: Obj): Promise<void> | undefined =>
          isActive(pod)
            ? this.killPod(pod, "DeletionByGarbageCollector", "Job deleted", { remove: true })
            : void this.store.delete(PODS, namespace, pod["metadata"].name);
        await Promise.all(pods.map(remove));
      }
      if (policy !== "Background") this.store.delete(JOBS, namespace, name);
    })();
    gone.catch(() => undefined); // callers that do not wait must not leave a rejection unhandled
    return { object, gone };
  }

  /** The log of a pod's container, while the pod's worker or its run record knows it. */
  log(pod: Obj, container: string): ContainerLog | undefined {
    return (
      this.workers.get(pod["metadata"].uid)?.log(container) ?? this.runs.findLast((run) => run.pod === pod["metadata"].name && run.container === container)?.log
    );
  }

  /** Stops all timers and kills every running container. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all([...this.workers.values()].map((worker) => worker.kill()));
  }
}
