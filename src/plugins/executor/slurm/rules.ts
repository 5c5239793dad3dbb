import type { IntegrationFinding, Peers } from "../../../ports/plugin.js";

// What the slurm executor says about the services of a run (checked before it starts): every step runs
// as a batch job on some compute node, as the user, with this machine's environment (`--export=ALL`),
// and records itself in the run log store; the next step reads that record. So the store and the
// catalog must be shared with the compute nodes: a folder on the cluster's shared file system, or a
// server the nodes reach.

type SharedService = "run_log_store" | "catalog";

const LOOPBACK = /^[a-z]+:\/\/([^@/]*@)?(localhost|127\.|\[::1\])/i;

function sharing(self: { type: string }, peers: Peers, service: SharedService): IntegrationFinding[] {
  const { type, traits } = peers.services[service];
  const name = `${service} ${type}`;
  const copies = service === "catalog" ? peers.services.catalog.traits.copies : true;
  if (traits.sharing === "none") {
    if (!copies) return [];
    return [
      {
        level: "error",
        service,
        message: `${name} cannot be used with executor ${self.type}: it is not shared with other processes, and each step runs as a batch job on a compute node that must read and write it; use file-system or chunked-fs on a shared file system, or postgres or s3`,
      },
    ];
  }
  if (traits.sharing === "folder") {
    return peers.folders[service].map((folder) => ({
      level: "info",
      service,
      message: `${name}: ${folder.path} must be on a file system every compute node mounts at the same path (the working directory's, on a cluster's shared home or project space)`,
    }));
  }
  const server = traits.server;
  if (!server) return [];
  const loopback = LOOPBACK.test(server.address);
  return [
    {
      level: loopback ? "warning" : "info",
      service,
      message: loopback
        ? `${name}: ${server.addressSetting} is a loopback address, which on a compute node is the node itself: it works on a single-node cluster only; use the server's network address`
        : `${name}: each step's job connects to the server itself, with this machine's ${server.credentialVariables.join(", ") || "credentials"} (the job gets its environment)`,
    },
  ];
}

/** The slurm executor's findings about the other services of a run. */
export function slurmRules(self: { type: string }, peers: Peers): IntegrationFinding[] {
  const found = [...sharing(self, peers, "run_log_store"), ...sharing(self, peers, "catalog")];
  const { secrets, experiment_tracker: tracker } = peers.services;
  const server = tracker.traits.server;
  if (server && /^https?:\/\/(localhost|127\.|\[::1\])/.test(server.url)) {
    found.push({
      level: "warning",
      service: "experiment_tracker",
      message: `experiment_tracker ${tracker.type}: ${server.setting} ${server.url} is a loopback address, which on a compute node is the node itself: it works on a single-node cluster only; use the tracking server's network address`,
    });
  }
  if (secrets.traits.file) {
    found.push({
      level: "info",
      service: "secrets",
      message: `secrets ${secrets.type}: ${secrets.traits.file.value} is read by each step's job: keep it on the shared file system, readable only by you`,
    });
  }
  return found;
}
