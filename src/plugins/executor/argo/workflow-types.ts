/** The subset of Argo's Workflow manifest the renderer writes (field names as Argo spells them). */

/** An input, output or argument parameter. */
export interface ArgoParameter {
  name: string;
  value?: string;
  valueFrom?: { path: string };
}

/** `{parameters: [...]}` as used by inputs, outputs and arguments. */
export interface ArgoParameters {
  parameters: ArgoParameter[];
}

/** One task of a DAG template. */
export interface ArgoDagTask {
  name: string;
  template: string;
  depends?: string;
  arguments?: ArgoParameters;
  withParam?: string;
  /** Runs the task only when this expression holds (else it is Skipped). */
  when?: string;
}

/** A DAG template (the top-level graph, a branch, or a composite node with its fan-out/fan-in). */
export interface ArgoDagTemplate {
  name: string;
  inputs?: ArgoParameters;
  parallelism?: number;
  failFast?: boolean;
  dag: { tasks: ArgoDagTask[] };
}

/** A container environment variable (a literal, or a Kubernetes secret key). */
export interface ArgoEnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/** Retry settings of a template (counts and durations as strings, as the schema types them). */
export interface ArgoRetry {
  limit: string;
  retryPolicy: string;
  backoff: { duration: string; factor: string; maxDuration: string };
}

/** A Kubernetes toleration. */
export interface ArgoTolerationSpec {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** The container of a pod template. */
export interface ArgoContainer {
  image: string;
  command: string[];
  imagePullPolicy?: string;
  resources: { limits: Record<string, string>; requests: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
  env?: ArgoEnvVar[];
}

/** A pod template running one `runnable` command. */
export interface ArgoContainerTemplate {
  name: string;
  activeDeadlineSeconds?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: ArgoTolerationSpec[];
  retryStrategy?: ArgoRetry;
  inputs?: ArgoParameters;
  outputs?: ArgoParameters;
  container: ArgoContainer;
}

/** Any rendered template. */
export type ArgoTemplate = ArgoDagTemplate | ArgoContainerTemplate;

/** The rendered `Workflow`. */
export interface ArgoWorkflow {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "Workflow";
  metadata: { generateName: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: {
    activeDeadlineSeconds: number;
    entrypoint: string;
    nodeSelector?: Record<string, string>;
    tolerations?: ArgoTolerationSpec[];
    parallelism?: number;
    podGC: { strategy: "OnPodCompletion" };
    serviceAccountName?: string;
    templates: ArgoTemplate[];
    templateDefaults: { activeDeadlineSeconds: string; timeout: string };
    arguments: ArgoParameters;
    volumes?: { name: string; persistentVolumeClaim: { claimName: string } }[];
  };
}

/** True for a DAG template. */
export function isDagTemplate(template: ArgoTemplate): template is ArgoDagTemplate {
  return "dag" in template;
}
