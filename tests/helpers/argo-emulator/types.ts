/** Shapes the emulator reads from a Workflow and exchanges with pod runners. */

/** A node phase, as Argo names them. */
export type Phase = "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted";

/** True for phases Argo counts as failures. */
export const failedOrError = (phase: Phase | "" | undefined): boolean => phase === "Failed" || phase === "Error";

/** A parameter entry (inputs, outputs, arguments). */
export interface WfParameter {
  name: string;
  value?: string;
  default?: string;
  valueFrom?: { path?: string };
}

/** A DAG task. */
export interface WfTask {
  name: string;
  template: string;
  depends?: string;
  dependencies?: string[];
  arguments?: { parameters?: WfParameter[] };
  withParam?: string;
  withItems?: unknown[];
  /** Run only when this condition holds after substitution (else Skipped). */
  when?: string;
}

/** A retry strategy (counts may be strings or numbers). */
export interface WfRetry {
  limit?: string | number;
  retryPolicy?: string;
}

/** An environment variable of a container. */
export interface WfEnv {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** Any template the emulator can run: a DAG or a container. */
export interface WfTemplate {
  name: string;
  inputs?: { parameters?: WfParameter[] };
  outputs?: { parameters?: WfParameter[] };
  parallelism?: number;
  failFast?: boolean;
  activeDeadlineSeconds?: string | number;
  retryStrategy?: WfRetry;
  dag?: { tasks: WfTask[]; failFast?: boolean; target?: string };
  container?: {
    image: string;
    command?: string[];
    args?: string[];
    env?: WfEnv[];
    volumeMounts?: { name: string; mountPath: string }[];
    workingDir?: string;
  };
  [key: string]: unknown;
}

/** The parts of a Workflow the emulator reads. */
export interface WfWorkflow {
  metadata?: { name?: string; generateName?: string };
  spec: {
    entrypoint: string;
    templates: WfTemplate[];
    arguments?: { parameters?: WfParameter[] };
    parallelism?: number;
    activeDeadlineSeconds?: number | string;
    retryStrategy?: WfRetry;
    templateDefaults?: { activeDeadlineSeconds?: string | number; [key: string]: unknown };
    volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
    [key: string]: unknown;
  };
}

/** One pod to run, fully substituted. */
export interface PodRequest {
  /** Argo's node name, e.g. `wf.map-task(0:3).step-task`. */
  nodeName: string;
  templateName: string;
  /** 0 for the first try, then 1, 2, ... for retries (Argo's `{{retries}}`). */
  retry: number;
  image: string;
  /** `command` followed by `args`. */
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** Persistent volume claims to mount (claim name and mount path). */
  volumes: { claimName: string; mountPath: string }[];
  /** Output parameters to read after the pod ended (name and file path in the pod). */
  outputs: { name: string; path: string }[];
  /** Aborted when the pod must stop (deadline or workflow stop). */
  signal: AbortSignal;
}

/** What a pod runner reports. */
export interface PodResult {
  exitCode: number;
  /** Output parameter values read from the pod (missing files left out). */
  outputs: Record<string, string>;
  /** Captured output, for debugging failures. */
  log?: string;
}

/** Runs one pod (a real process, a container, or a test double). */
export type PodRunner = (pod: PodRequest) => Promise<PodResult>;

/** One node of the emulated run, as `argo get` would list it. */
export interface NodeRecord {
  name: string;
  template: string;
  type: "Pod" | "DAG" | "TaskGroup" | "Skipped";
  phase: Phase;
  message?: string;
  /** Tries of a template with a retry strategy (1 without retries). */
  tries: number;
}
