/**
 * Integration rules between the executor and the other services (§11.7): which combinations are
 * refused before a run starts, which deserve a warning, and what the user should do about each.
 * Pure: decided from the service types and configs alone.
 */

/** A service as configured: its type and (parsed) config. */
export interface ConfiguredService {
  type: string;
  config?: Readonly<Record<string, unknown>>;
}

/** The executor and the four services a run uses. */
export interface IntegrationInput {
  executor: ConfiguredService;
  run_log_store: ConfiguredService;
  catalog: ConfiguredService;
  secrets: ConfiguredService;
  experiment_tracker: ConfiguredService;
}

/** One finding: `error` refuses the combination, `warning` is shown, `info` is for verbose output only. */
export interface IntegrationFinding {
  level: "error" | "warning" | "info";
  service: Exclude<keyof IntegrationInput, "executor">;
  message: string;
}

/** Executors whose steps run outside the launching process (containers, pods). */
const REMOTE_EXECUTORS = new Set(["local-container", "argo"]);

type Rule = (input: IntegrationInput) => IntegrationFinding | undefined;

const stringField = (service: ConfiguredService, key: string, fallback: string): string => {
  const value = service.config?.[key];
  return typeof value === "string" ? value : fallback;
};

/** Mount paths of the argo executor's persistent volumes. */
function argoMounts(executor: ConfiguredService): string[] {
  const volumes = executor.config?.["persistent_volumes"];
  if (!Array.isArray(volumes)) return [];
  return volumes.map((v) => (v as { mount_path?: unknown }).mount_path).filter((p): p is string => typeof p === "string");
}

const isUnder = (file: string, mount: string): boolean => file === mount || file.startsWith(mount.endsWith("/") ? mount : `${mount}/`);

/** An argo warning unless `location` is on one of the persistent volumes. */
function argoSharedLocation(input: IntegrationInput, service: "run_log_store" | "catalog", key: string, fallback: string): IntegrationFinding | undefined {
  const location = stringField(input[service], key, fallback);
  const mounts = argoMounts(input.executor);
  if (mounts.some((mount) => isUnder(location, mount))) return undefined;
  const where =
    mounts.length > 0
      ? `under one of the persistent_volumes mount paths (${mounts.join(", ")})`
      : "on a volume every pod mounts (executor.config.persistent_volumes)";
  return {
    level: "warning",
    service,
    message: `${service} ${input[service].type}: ${key} ${location} is not on a persistent volume, so pods on different nodes will not share it; put ${key} ${where}`,
  };
}

const RULES: Rule[] = [
  ({ executor, run_log_store }) => {
    if (run_log_store.type !== "buffered") return undefined;
    if (executor.type === "local") {
      return {
        level: "info",
        service: "run_log_store",
        message: "run_log_store buffered keeps the run log in memory: nothing is kept for `runs show` or re-runs",
      };
    }
    return {
      level: "error",
      service: "run_log_store",
      message: `Buffered run log store is only supported for local executor (executor ${executor.type}); choose run_log_store file-system or chunked-fs${executor.type === "argo" ? " on a persistent volume" : ""}`,
    };
  },
  ({ catalog }) =>
    catalog.type === "do-nothing"
      ? {
          level: "warning",
          service: "catalog",
          message: "catalog do-nothing: catalog get/put of steps copy nothing; choose catalog file-system to pass files between steps",
        }
      : undefined,
  ({ secrets }) =>
    secrets.type === "do-nothing"
      ? { level: "info", service: "secrets", message: "secrets do-nothing: steps that ask for a secret will fail; configure dotenv or env-secrets-manager" }
      : undefined,
  ({ experiment_tracker }) =>
    experiment_tracker.type === "do-nothing"
      ? { level: "info", service: "experiment_tracker", message: "experiment_tracker do-nothing: metrics are kept in the run log only" }
      : undefined,
  (input) => {
    const { executor, run_log_store } = input;
    if (executor.type === "argo" && (run_log_store.type === "file-system" || run_log_store.type === "chunked-fs")) {
      return argoSharedLocation(input, "run_log_store", "log_folder", ".run_log_store");
    }
    if (executor.type === "local-container" && (run_log_store.type === "file-system" || run_log_store.type === "chunked-fs")) {
      return {
        level: "info",
        service: "run_log_store",
        message: `run_log_store ${run_log_store.type}: ${stringField(run_log_store, "log_folder", ".run_log_store")} is mounted into every step's container`,
      };
    }
    return undefined;
  },
  (input) => {
    const { executor, catalog } = input;
    if (catalog.type !== "file-system") return undefined;
    if (executor.type === "argo") return argoSharedLocation(input, "catalog", "catalog_location", ".catalog");
    if (executor.type === "local-container") {
      return {
        level: "info",
        service: "catalog",
        message: `catalog file-system: ${stringField(catalog, "catalog_location", ".catalog")} is mounted into every step's container`,
      };
    }
    return undefined;
  },
  ({ executor, secrets }) => {
    if (secrets.type === "dotenv" && REMOTE_EXECUTORS.has(executor.type)) {
      const how =
        executor.type === "argo"
          ? "the file must be in the image; prefer executor.config.secrets_from_k8s (Kubernetes secrets)"
          : "the file is mounted read-only into every container; keep it out of the image";
      return { level: "warning", service: "secrets", message: `secrets dotenv with executor ${executor.type}: ${how}` };
    }
    if (secrets.type === "env-secrets-manager" && executor.type === "local-container") {
      return {
        level: "error",
        service: "secrets",
        message:
          "secrets env-secrets-manager cannot be used with executor local-container: containers do not see the host's environment; use secrets dotenv (mounted into the container) or executor.config.environment",
      };
    }
    return undefined;
  },
  ({ executor, experiment_tracker }) => {
    if (executor.type !== "argo" || experiment_tracker.type !== "mlflow") return undefined;
    const url = stringField(experiment_tracker, "server_url", "");
    if (!/^https?:\/\/(localhost|127\.|\[::1\])/.test(url)) return undefined;
    return {
      level: "warning",
      service: "experiment_tracker",
      message: `experiment_tracker mlflow: server_url ${url} points at the pod itself inside Kubernetes; use the tracking server's cluster address`,
    };
  },
  (input) => serverService(input, "run_log_store"),
  (input) => serverService(input, "catalog"),
  (input) => sharedBucket(input),
];

/** Stores and catalogs that live on a server (no mounts; every container or pod connects to it). */
const SERVER_SERVICES: Record<string, { variables: string; setting: string }> = {
  "run_log_store:postgres": { variables: "PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE", setting: "connection_url" },
  "run_log_store:s3": { variables: "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL_S3", setting: "endpoint_url" },
  "catalog:s3": { variables: "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL_S3", setting: "endpoint_url" },
};

const LOOPBACK = /^[a-z]+:\/\/([^@/]*@)?(localhost|127\.|\[::1\])/i;

/** What a remote executor needs for a store or catalog on a server: credentials and a reachable address. */
function serverService(input: IntegrationInput, service: "run_log_store" | "catalog"): IntegrationFinding | undefined {
  const { executor } = input;
  const known = SERVER_SERVICES[`${service}:${input[service].type}`];
  if (!known || !REMOTE_EXECUTORS.has(executor.type)) return undefined;
  const name = `${service} ${input[service].type}`;
  const address = stringField(input[service], known.setting, "");
  if (executor.type === "argo" && LOOPBACK.test(address)) {
    return {
      level: "warning",
      service,
      message: `${name}: ${known.setting} ${address.replace(/\/\/[^@/]*@/, "//***@")} points at the pod itself inside Kubernetes; use the server's cluster address`,
    };
  }
  if (executor.type === "argo") {
    return {
      level: "info",
      service,
      message: `${name}: nothing is mounted; pods connect to the server themselves, with credentials from executor.config.secrets_from_k8s (e.g. ${known.variables.split(", ").slice(0, 2).join(", ")}) or the pods' service account`,
    };
  }
  return {
    level: "info",
    service,
    message: `${name}: nothing is mounted; each container connects to the server itself (host network) and gets the host's ${known.variables} when they are set (passed by name, never on the command line)`,
  };
}

/** A warning when the s3 run log store and the s3 catalog would write the same keys. */
function sharedBucket({ run_log_store, catalog }: IntegrationInput): IntegrationFinding | undefined {
  if (run_log_store.type !== "s3" || catalog.type !== "s3") return undefined;
  const place = (service: ConfiguredService) =>
    `${stringField(service, "endpoint_url", "")}|${stringField(service, "bucket", "")}|${stringField(service, "prefix", "").replace(/\/+$/, "")}`;
  if (place(run_log_store) !== place(catalog)) return undefined;
  return {
    level: "warning",
    service: "catalog",
    message:
      "catalog s3 and run_log_store s3 share one bucket and prefix, so a cataloged file named like a run log object (RunLog.json) would replace it; give them different prefixes",
  };
}

/** Every finding for this combination of executor and services, in rule order. */
export function integrationFindings(input: IntegrationInput): IntegrationFinding[] {
  return RULES.map((rule) => rule(input)).filter((finding): finding is IntegrationFinding => finding !== undefined);
}
