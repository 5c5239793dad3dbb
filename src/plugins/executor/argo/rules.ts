import type { ServerAccess } from "../../../ports/catalog.js";
import type { IntegrationFinding, LocalFolder, Peers } from "../../../ports/plugin.js";
import type { ArgoConfig } from "./schema.js";

// What the argo executor says about the services of a run (checked before the manifest is written):
// every pod runs on some node of the cluster, so a folder must be on a volume every pod mounts, and a
// server must be reachable from inside the cluster.

type SharedService = "run_log_store" | "catalog";

const isUnder = (file: string, mount: string): boolean => file === mount || file.startsWith(mount.endsWith("/") ? mount : `${mount}/`);

/** A warning for each folder of `service` that is not on one of the persistent volumes. */
function offVolume(config: ArgoConfig, peers: Peers, service: SharedService): IntegrationFinding[] {
  if (peers.services[service].traits.sharing !== "folder") return [];
  const mounts = config.persistent_volumes.map((volume) => volume.mount_path);
  const where =
    mounts.length > 0
      ? `under one of the persistent_volumes mount paths (${mounts.join(", ")})`
      : "on a volume every pod mounts (executor.config.persistent_volumes)";
  return peers.folders[service]
    .filter((folder) => !mounts.some((mount) => isUnder(folder.value, mount)))
    .map((folder: LocalFolder) => {
      const key = folder.setting.split(".").pop() ?? folder.setting;
      return {
        level: "warning",
        service,
        message: `${service} ${peers.services[service].type}: ${key} ${folder.value} is not on a persistent volume, so pods on different nodes will not share it; put ${key} ${where}`,
      };
    });
}

const LOOPBACK = /^[a-z]+:\/\/([^@/]*@)?(localhost|127\.|\[::1\])/i;

/** A store or catalog on a server: pods connect to it themselves, so its address must not be the pod's own. */
function onServer(peers: Peers, service: SharedService): IntegrationFinding[] {
  const server: ServerAccess | undefined = peers.services[service].traits.server;
  if (!server) return [];
  const name = `${service} ${peers.services[service].type}`;
  if (LOOPBACK.test(server.address)) {
    const shown = server.address.replace(/\/\/[^@/]*@/, "//***@");
    return [
      {
        level: "warning",
        service,
        message: `${name}: ${server.addressSetting} ${shown} points at the pod itself inside Kubernetes; use the server's cluster address`,
      },
    ];
  }
  const examples = server.credentialVariables.slice(0, 2).join(", ");
  return [
    {
      level: "info",
      service,
      message: `${name}: nothing is mounted; pods connect to the server themselves, with credentials from executor.config.secrets_from_k8s (e.g. ${examples}) or the pods' service account`,
    },
  ];
}

/** Secrets from a file must be in the image; a tracker on loopback is the pod itself. */
function secretsAndTracker(self: { type: string }, peers: Peers): IntegrationFinding[] {
  const { secrets, experiment_tracker: tracker } = peers.services;
  const found: IntegrationFinding[] = [];
  if (secrets.traits.source === "file") {
    found.push({
      level: "warning",
      service: "secrets",
      message: `secrets ${secrets.type} with executor ${self.type}: the file must be in the image; prefer executor.config.secrets_from_k8s (Kubernetes secrets)`,
    });
  }
  const server = tracker.traits.server;
  if (server && /^https?:\/\/(localhost|127\.|\[::1\])/.test(server.url)) {
    found.push({
      level: "warning",
      service: "experiment_tracker",
      message: `experiment_tracker ${tracker.type}: ${server.setting} ${server.url} points at the pod itself inside Kubernetes; use the tracking server's cluster address`,
    });
  }
  return found;
}

/** The argo executor's findings about the other services of a run. */
export function argoRules(self: { type: string }, peers: Peers, config: ArgoConfig): IntegrationFinding[] {
  return [
    ...offVolume(config, peers, "run_log_store"),
    ...offVolume(config, peers, "catalog"),
    ...secretsAndTracker(self, peers),
    ...onServer(peers, "run_log_store"),
    ...onServer(peers, "catalog"),
  ];
}
