import { randomUUID } from "node:crypto";
import { randomSuffix, timestamp } from "./defaults.js";
import type { ContainerExit } from "./pod-runner.js";

// Pod objects as the Job controller creates them and as the kubelet reports them (phase, conditions,
// containerStatuses), following https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/.

type Obj = Record<string, any>;

/** The node name every emulated pod is bound to. */
export const NODE_NAME = "standin-node";

/** A new Pending pod for a Job (restartPolicy Never: a new one for every attempt), owned by it. */
export function newJobPod(job: Obj, index?: number): Obj {
  const template = job["spec"].template as Obj;
  const jobName = job["metadata"].name as string;
  const prefix = index === undefined ? `${jobName}-` : `${jobName}-${index}-`;
  const indexed = index === undefined ? {} : { "batch.kubernetes.io/job-completion-index": String(index) };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${prefix}${randomSuffix()}`,
      generateName: prefix,
      namespace: job["metadata"].namespace,
      uid: randomUUID(),
      creationTimestamp: timestamp(),
      labels: { ...(template["metadata"]?.labels ?? {}), ...indexed },
      annotations: { ...(template["metadata"]?.annotations ?? {}), ...indexed },
      ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: jobName, uid: job["metadata"].uid, controller: true, blockOwnerDeletion: true }],
      finalizers: ["batch.kubernetes.io/job-tracking"],
    },
    spec: {
      ...structuredClone(template["spec"]),
      serviceAccountName: template["spec"].serviceAccountName ?? "default",
      ...(index === undefined ? {} : { hostname: `${jobName}-${index}` }),
    },
    status: { phase: "Pending", qosClass: qosClass(template["spec"]) },
  };
}

function qosClass(spec: Obj): string {
  const resources = ((spec["containers"] ?? []) as Obj[]).map((container) => container["resources"] ?? {});
  if (resources.every((r) => !r["limits"] && !r["requests"])) return "BestEffort";
  const guaranteed = resources.every(
    (r) => r["limits"]?.cpu && r["limits"]?.memory && (!r["requests"] || JSON.stringify(r["requests"]) === JSON.stringify(r["limits"])),
  );
  return guaranteed ? "Guaranteed" : "Burstable";
}

const condition = (type: string, status: boolean, extra: Obj = {}): Obj => ({
  type,
  status: status ? "True" : "False",
  lastProbeTime: null,
  lastTransitionTime: timestamp(),
  ...extra,
});

/** Bound to the node: PodScheduled, containers waiting in ContainerCreating. */
export function scheduled(pod: Obj): void {
  pod["spec"].nodeName = NODE_NAME;
  pod["status"] = {
    ...pod["status"],
    phase: "Pending",
    hostIP: "127.0.0.1",
    hostIPs: [{ ip: "127.0.0.1" }],
    startTime: timestamp(),
    conditions: [
      condition("PodReadyToStartContainers", false),
      condition("Initialized", true),
      condition("Ready", false),
      condition("ContainersReady", false),
      condition("PodScheduled", true),
    ],
    containerStatuses: (pod["spec"].containers as Obj[]).map((container) => containerStatus(container, { waiting: { reason: "ContainerCreating" } })),
  };
}

/** Not schedulable (e.g. its PVC is unknown): Pending with PodScheduled False, as the scheduler reports it. */
export function unschedulable(pod: Obj, message: string): void {
  pod["status"] = { phase: "Pending", qosClass: pod["status"].qosClass, conditions: [condition("PodScheduled", false, { reason: "Unschedulable", message })] };
}

/** A container cannot start yet (secret missing, image missing): it waits with the kubelet's reason. */
export function waiting(pod: Obj, containerName: string, reason: string, message: string): void {
  setContainer(pod, containerName, { state: { waiting: { reason, message } }, ready: false, started: false });
}

/** A container started: running, ready (no probes), the pod Running once all containers run. */
export function containerStarted(pod: Obj, containerName: string, containerId: string): void {
  setContainer(pod, containerName, { state: { running: { startedAt: timestamp() } }, ready: true, started: true, containerID: containerId });
  const statuses = pod["status"].containerStatuses as Obj[];
  if (statuses.every((status) => status["state"].running)) {
    pod["status"].phase = "Running";
    pod["status"].podIP = "127.0.0.1";
    pod["status"].podIPs = [{ ip: "127.0.0.1" }];
    for (const type of ["PodReadyToStartContainers", "Ready", "ContainersReady"]) setCondition(pod, type, true);
  }
}

/** A container exited; once all have, the pod is Succeeded (all exit 0) or Failed. Returns the phase. */
export function containerExited(pod: Obj, containerName: string, exit: ContainerExit, restartCount = 0): string {
  const previous = (pod["status"].containerStatuses as Obj[]).find((status) => status["name"] === containerName);
  const startedAt = previous?.state?.running?.startedAt ?? timestamp();
  const terminated = {
    exitCode: exit.exitCode,
    reason: exit.reason,
    ...(exit.message ? { message: exit.message } : {}),
    startedAt,
    finishedAt: timestamp(),
    containerID: previous?.containerID,
  };
  setContainer(pod, containerName, { state: { terminated }, ready: false, started: false, restartCount });
  const statuses = pod["status"].containerStatuses as Obj[];
  if (!statuses.every((status) => status["state"].terminated)) return pod["status"].phase;
  pod["status"].phase = statuses.every((status) => status["state"].terminated.exitCode === 0) ? "Succeeded" : "Failed";
  for (const type of ["PodReadyToStartContainers", "Ready", "ContainersReady"]) setCondition(pod, type, false, { reason: "PodCompleted" });
  return pod["status"].phase;
}

/** A failed container restarted in place (restartPolicy OnFailure): lastState keeps the failure. */
export function containerRestarting(pod: Obj, containerName: string, exit: ContainerExit, restartCount: number): void {
  const previous = (pod["status"].containerStatuses as Obj[]).find((status) => status["name"] === containerName);
  const lastState = { terminated: { exitCode: exit.exitCode, reason: exit.reason, startedAt: previous?.state?.running?.startedAt, finishedAt: timestamp() } };
  setContainer(pod, containerName, { state: { waiting: { reason: "ContainerCreating" } }, lastState, ready: false, started: false, restartCount });
}

/** Marks a pod that is being killed (deadline, deletion): the DisruptionTarget condition and a deletion timestamp. */
export function terminating(pod: Obj, reason: string, message: string): void {
  pod["metadata"].deletionTimestamp = timestamp();
  pod["metadata"].deletionGracePeriodSeconds = 0;
  setCondition(pod, "DisruptionTarget", true, { reason, message });
}

function containerStatus(container: Obj, state: Obj): Obj {
  return { name: container["name"], image: container["image"], imageID: "", ready: false, restartCount: 0, started: false, state };
}

function setContainer(pod: Obj, name: string, change: Obj): void {
  const statuses = (pod["status"].containerStatuses ??= (pod["spec"].containers as Obj[]).map((c) =>
    containerStatus(c, { waiting: { reason: "ContainerCreating" } }),
  )) as Obj[];
  const status = statuses.find((candidate) => candidate["name"] === name);
  if (status) Object.assign(status, change);
}

function setCondition(pod: Obj, type: string, status: boolean, extra: Obj = {}): void {
  const conditions = (pod["status"].conditions ??= []) as Obj[];
  const existing = conditions.find((candidate) => candidate["type"] === type);
  const next = condition(type, status, extra);
  if (existing && existing["status"] === next["status"]) Object.assign(existing, extra);
  else if (existing) Object.assign(existing, next);
  else conditions.push(next);
}
