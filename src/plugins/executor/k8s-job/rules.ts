import type { IntegrationFinding, Peers } from "../../../ports/plugin.js";
import type { K8sJobConfig } from "./schema.js";

// What the k8s-job executors say about the services of a run (checked before it starts): the pod sees
// the stores' folders through the claim (or the node's paths) and reaches a server itself, with the
// credentials the job's container is given in the cluster — never this machine's values, which would
// be written into the manifest (printed and written by `mock`).

type SharedService = "run_log_store" | "catalog";

/** The variables the container is given (by name), and whether whole Secrets or ConfigMaps are given. */
function containerEnv(config: K8sJobConfig): { names: Set<string>; fromSources: boolean } {
  const { container } = config.jobSpec.template.spec;
  return { names: new Set(container.env.map((variable) => variable.name)), fromSources: container.envFrom.length > 0 };
}

/** A server store: its credentials must come from the container's env or envFrom (a Secret). */
function serverService(peers: Peers, service: SharedService, config: K8sJobConfig): IntegrationFinding[] {
  const { type, traits } = peers.services[service];
  if (!traits.server) return [];
  const wanted = traits.server.credentialVariables;
  const env = containerEnv(config);
  const given = env.fromSources || wanted.some((name) => env.names.has(name));
  if (given || wanted.length === 0) {
    return [
      { level: "info", service, message: `${service} ${type}: the pod connects to the server itself, with the credentials its container's env/envFrom gives` },
    ];
  }
  return [
    {
      level: "warning",
      service,
      message:
        `${service} ${type}: the pod connects to the server itself, but its container gets none of ${wanted.join(", ")}: ` +
        "give them from a Secret (jobSpec.template.spec.container.envFrom: [{secretRef: {name: <secret>}}], or env entries with valueFrom.secretKeyRef); " +
        "this machine's values are never written into the Job",
    },
  ];
}

/** Secrets read from the environment: the pod's environment is its container's, not this machine's. */
function secrets(self: { type: string }, peers: Peers): IntegrationFinding[] {
  const { type, traits } = peers.services.secrets;
  if (traits.source !== "host-environment") return [];
  return [
    {
      level: "warning",
      service: "secrets",
      message: `secrets ${type} with executor ${self.type}: the pod reads its own environment, not this machine's: give it the secrets through jobSpec.template.spec.container env (valueFrom.secretKeyRef) or envFrom`,
    },
  ];
}

/** The k8s-job executors' findings about the other services of a run (none in the pod: the submitter checked them). */
export function k8sJobRules(self: { type: string; capabilities: { placement: string } }, peers: Peers, config: K8sJobConfig): IntegrationFinding[] {
  if (self.capabilities.placement === "in-process") return [];
  return [...serverService(peers, "run_log_store", config), ...serverService(peers, "catalog", config), ...secrets(self, peers)];
}
