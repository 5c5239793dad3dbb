import { type PodContext, resolveContainer, resolveVolumes, type Waiting } from "./pod-spec.js";
import type { ContainerExit, ContainerLaunch, ContainerLog, PodRunner, RunningContainer } from "./pod-runner.js";
import { containerExited, containerRestarting, containerStarted, scheduled, unschedulable, waiting } from "./pods.js";
import { type ObjectStore, PODS } from "./store.js";

// The kubelet's part for one pod: mount its volumes, run its init containers one after another and
// then its containers together through the PodRunner, restart failed containers in place when the
// restart policy is OnFailure, and report every state change on the Pod object.

type Obj = Record<string, any>;

/** One container run, kept for tests: what was launched, its log and how it ended. */
export interface PodRun {
  namespace: string;
  pod: string;
  container: string;
  launch: ContainerLaunch;
  log: ContainerLog;
  exit?: ContainerExit;
  startedAt: number;
  finishedAt?: number;
}

/** What a pod worker reports to and asks of the Job controller. */
export interface PodHost {
  store: ObjectStore;
  runner: PodRunner;
  podContext: PodContext;
  runs: PodRun[];
  /** The pod ended (Succeeded or Failed) on its own. */
  podFinished(pod: Obj, phase: string): void;
  /** A container failed under restartPolicy OnFailure: true to restart it (the Job is within its backoff limit). */
  restartAllowed(pod: Obj): boolean;
}

/** Runs one pod; `kill` stops it (deadline, deletion, suspension). */
export class PodWorker {
  private readonly containers = new Set<RunningContainer>();
  private readonly logs = new Map<string, ContainerLog>();
  killed = false;

  constructor(
    private readonly host: PodHost,
    readonly namespace: string,
    readonly name: string,
  ) {}

  private update(change: (pod: Obj) => void): Obj | undefined {
    return this.host.store.update(PODS, this.namespace, this.name, change);
  }

  /** The log of a container of this pod (undefined before it started). */
  log(container: string): ContainerLog | undefined {
    return this.logs.get(container);
  }

  /** Runs the pod to its end (or until killed, or forever Pending when something it needs is missing). */
  async run(): Promise<void> {
    const pod = this.host.store.get(PODS, this.namespace, this.name);
    if (!pod) return;
    const volumes = await resolveVolumes(pod, this.host.podContext);
    if (!(volumes instanceof Map)) return this.pending(pod, volumes);
    this.update(scheduled);
    for (const container of (pod["spec"].initContainers ?? []) as Obj[]) {
      const exit = await this.runContainer(pod, container, volumes);
      if (!exit || this.killed) return;
      if (exit.exitCode !== 0) return this.finish({ ...exit, reason: "Init:Error" });
    }
    const exits = await Promise.all((pod["spec"].containers as Obj[]).map((container) => this.runWithRestarts(pod, container, volumes)));
    if (this.killed || exits.some((exit) => !exit)) return;
    const current = this.host.store.get(PODS, this.namespace, this.name);
    if (current) this.host.podFinished(current, current["status"].phase);
  }

  private pending(pod: Obj, why: Waiting): void {
    if (why.unschedulable) this.update((p) => unschedulable(p, why.message));
    else {
      this.update((p) => {
        scheduled(p);
        for (const container of pod["spec"].containers as Obj[]) waiting(p, container["name"], why.reason, why.message);
      });
    }
  }

  private finish(exit: ContainerExit): void {
    const updated = this.update((p) => {
      for (const container of p["spec"].containers as Obj[]) containerExited(p, container["name"], { ...exit, exitCode: exit.exitCode || 1 });
    });
    if (updated && !this.killed) this.host.podFinished(updated, updated["status"].phase);
  }

  // One container; restarted in place while the restart policy and the Job's backoff limit allow.
  private async runWithRestarts(pod: Obj, container: Obj, volumes: Map<string, { source: string; readOnly: boolean }>): Promise<ContainerExit | undefined> {
    for (let restarts = 0; ; restarts++) {
      const exit = await this.runContainer(pod, container, volumes);
      if (!exit || this.killed) return undefined;
      const restart = exit.exitCode !== 0 && pod["spec"].restartPolicy === "OnFailure";
      if (restart) {
        this.update((p) => containerRestarting(p, container["name"], exit, restarts + 1));
        if (this.host.restartAllowed(this.host.store.get(PODS, this.namespace, this.name) ?? pod)) continue;
        return undefined; // the Job failed: the controller kills this pod
      }
      this.update((p) => containerExited(p, container["name"], exit, restarts));
      return exit;
    }
  }

  private async runContainer(pod: Obj, container: Obj, volumes: Map<string, { source: string; readOnly: boolean }>): Promise<ContainerExit | undefined> {
    const launch = resolveContainer(pod, container, volumes, this.host.podContext);
    if ("reason" in launch) {
      this.update((p) => waiting(p, container["name"], launch.reason, launch.message));
      return undefined;
    }
    if (this.killed) return undefined;
    const running = this.host.runner.start(launch);
    this.containers.add(running);
    this.logs.set(container["name"], running.log);
    const run: PodRun = { namespace: this.namespace, pod: this.name, container: container["name"], launch, log: running.log, startedAt: Date.now() };
    this.host.runs.push(run);
    this.update((p) => containerStarted(p, container["name"], `podman://${pod["metadata"].uid}-${container["name"]}`));
    const exit = await running.exited;
    this.containers.delete(running);
    Object.assign(run, { exit, finishedAt: Date.now() });
    if (exit.waiting) {
      const { reason, message } = exit.waiting;
      this.update((p) => waiting(p, container["name"], reason, message));
      return undefined;
    }
    return exit;
  }

  /** Kills the pod's containers (SIGKILL); the pod's final state is set by the caller. */
  async kill(): Promise<void> {
    this.killed = true;
    await Promise.all([...this.containers].map((container) => container.kill()));
  }
}
