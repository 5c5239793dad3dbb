import { definePlugin } from "../../../ports/plugin.js";
import { k8sJobRules } from "./rules.js";
import { buildK8sJobConfigSchema, buildMiniK8sJobConfigSchema } from "./schema.js";

export { buildK8sJobConfigSchema, buildMiniK8sJobConfigSchema, type K8sJobConfig } from "./schema.js";

/**
 * runnable 0.50's `k8s-job` job executor: the job runs in a pod of a Kubernetes Job (a CronJob with
 * `schedule`), created through the Kubernetes API, the stores on the PersistentVolumeClaim `pvc_claim_name`.
 */
export const k8sJobExecutorPlugin = definePlugin({
  kind: "executor",
  type: "k8s-job",
  description: "runs a job in a pod of a Kubernetes Job (CronJob with schedule); stores on a PersistentVolumeClaim",
  configSchema: buildK8sJobConfigSchema,
  create: async (config, context) => (await import("./k8s-job-executor.js")).createK8sJobExecutor("k8s-job", config, context),
  rules: (self, peers, config) => k8sJobRules(self, peers, config),
});

/** runnable 0.50's `mini-k8s-job`: as `k8s-job`, the stores on host paths of a one-node cluster (minikube). */
export const miniK8sJobExecutorPlugin = definePlugin({
  kind: "executor",
  type: "mini-k8s-job",
  description: "runs a job in a pod of a Kubernetes Job on a one-node cluster; stores on the node's host paths",
  configSchema: buildMiniK8sJobConfigSchema,
  create: async (config, context) => (await import("./k8s-job-executor.js")).createK8sJobExecutor("mini-k8s-job", config, context),
  rules: (self, peers, config) => k8sJobRules(self, peers, config),
});
