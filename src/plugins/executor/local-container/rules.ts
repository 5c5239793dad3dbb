import type { IntegrationFinding, Peers } from "../../../ports/plugin.js";

// What the local-container executor says about the services of a run (checked before it starts): a
// step's container sees the host's folders through mounts and reaches servers over the host network,
// but not the host's environment.

type SharedService = "run_log_store" | "catalog";

/** Folders are mounted into every step's container; a server is reached by each container with the host's credential variables. */
function sharedService(peers: Peers, service: SharedService): IntegrationFinding[] {
  const { type, traits } = peers.services[service];
  if (traits.sharing === "folder") {
    return peers.folders[service].map((folder) => ({
      level: "info",
      service,
      message: `${service} ${type}: ${folder.value} is mounted into every step's container`,
    }));
  }
  if (!traits.server) return [];
  return [
    {
      level: "info",
      service,
      message: `${service} ${type}: nothing is mounted; each container connects to the server itself (host network) and gets the host's ${traits.server.credentialVariables.join(", ")} when they are set (passed by name, never on the command line)`,
    },
  ];
}

/** A secrets file is mounted read-only; secrets from the host's environment cannot reach a container. */
function secrets(self: { type: string }, peers: Peers): IntegrationFinding[] {
  const { type, traits } = peers.services.secrets;
  if (traits.source === "file") {
    return [
      {
        level: "warning",
        service: "secrets",
        message: `secrets ${type} with executor ${self.type}: the file is mounted read-only into every container; keep it out of the image`,
      },
    ];
  }
  if (traits.source !== "host-environment") return [];
  return [
    {
      level: "error",
      service: "secrets",
      message: `secrets ${type} cannot be used with executor ${self.type}: containers do not see the host's environment; use secrets dotenv (mounted into the container) or executor.config.environment`,
    },
  ];
}

/** The local-container executor's findings about the other services of a run. */
export function localContainerRules(self: { type: string }, peers: Peers): IntegrationFinding[] {
  return [...sharedService(peers, "run_log_store"), ...sharedService(peers, "catalog"), ...secrets(self, peers)];
}
