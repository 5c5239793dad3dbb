import { describe, expect, it } from "vitest";
import { findingsForConfigs, type IntegrationInput } from "./integrations.js";

/** The keys an executor's config requires (the rules are evaluated on services created from valid configs). */
const REQUIRED: Record<string, Record<string, unknown>> = { argo: { image: "img" }, "local-container": { docker_image: "img" } };

const services = (
  executor: string,
  overrides: Partial<Record<keyof IntegrationInput, { type: string; config?: Record<string, unknown> }>> = {},
): IntegrationInput => ({
  executor: { type: executor, config: REQUIRED[executor] ?? {} },
  run_log_store: { type: "file-system" },
  catalog: { type: "file-system" },
  secrets: { type: "env-secrets-manager" },
  experiment_tracker: { type: "mlflow", config: { server_url: "http://mlflow.internal:5000" } },
  ...overrides,
});

const argoOnMnt = { type: "argo", config: { image: "img", persistent_volumes: [{ name: "v", mount_path: "/mnt" }] } };

/** executor × services → the levels and the start of each message (the fix is named in each). */
const TABLE: [string, IntegrationInput, [string, string][]][] = [
  ["local + buffered", services("local", { run_log_store: { type: "buffered" } }), [["info", "run_log_store buffered keeps the run log in memory"]]],
  ...(["local-container", "argo", "mocked"] as const).map((executor): [string, IntegrationInput, [string, string][]] => [
    `${executor} + buffered`,
    services(
      executor,
      executor === "argo"
        ? { executor: argoOnMnt, run_log_store: { type: "buffered" }, catalog: { type: "file-system", config: { catalog_location: "/mnt/c" } } }
        : { run_log_store: { type: "buffered" } },
    ),
    [
      ["error", `Buffered run log store is only supported for local executor (executor ${executor}); choose run_log_store file-system or chunked-fs`],
      ...(executor === "local-container"
        ? ([
            ["info", "catalog file-system: .catalog is mounted"],
            ["error", "secrets env-secrets-manager cannot be used with executor local-container"],
          ] as [string, string][])
        : []),
    ],
  ]),
  [
    "any + do-nothing services",
    services("local", { catalog: { type: "do-nothing" }, secrets: { type: "do-nothing" }, experiment_tracker: { type: "do-nothing" } }),
    [
      ["warning", "catalog do-nothing: catalog get/put of steps copy nothing; choose catalog file-system"],
      ["info", "secrets do-nothing"],
      ["info", "experiment_tracker do-nothing"],
    ],
  ],
  [
    "local-container + stores",
    services("local-container", { run_log_store: { type: "chunked-fs" }, secrets: { type: "dotenv" } }),
    [
      ["info", "run_log_store chunked-fs: .run_log_store is mounted into every step's container"],
      ["info", "catalog file-system: .catalog is mounted into every step's container"],
      ["warning", "secrets dotenv with executor local-container: the file is mounted read-only"],
    ],
  ],
  [
    "local-container + env-secrets-manager",
    services("local-container"),
    [
      ["info", "run_log_store file-system"],
      ["info", "catalog file-system"],
      ["error", "secrets env-secrets-manager cannot be used with executor local-container: containers do not see the host's environment; use secrets dotenv"],
    ],
  ],
  [
    "argo + stores off the volume",
    services("argo", { executor: argoOnMnt }),
    [
      [
        "warning",
        "run_log_store file-system: log_folder .run_log_store is not on a persistent volume, so pods on different nodes will not share it; put log_folder under one of the persistent_volumes mount paths (/mnt)",
      ],
      ["warning", "catalog file-system: catalog_location .catalog is not on a persistent volume"],
    ],
  ],
  [
    "argo + stores on the volume",
    services("argo", {
      executor: argoOnMnt,
      run_log_store: { type: "chunked-fs", config: { log_folder: "/mnt/run_log_store" } },
      catalog: { type: "file-system", config: { catalog_location: "/mnt" } },
    }),
    [],
  ],
  [
    "argo without volumes",
    services("argo", { catalog: { type: "do-nothing" } }),
    [
      ["warning", "catalog do-nothing"],
      [
        "warning",
        "run_log_store file-system: log_folder .run_log_store is not on a persistent volume, so pods on different nodes will not share it; put log_folder on a volume every pod mounts (executor.config.persistent_volumes)",
      ],
    ],
  ],
  [
    "argo + dotenv + local mlflow",
    services("argo", {
      executor: argoOnMnt,
      run_log_store: { type: "file-system", config: { log_folder: "/mnt/x" } },
      catalog: { type: "do-nothing" },
      secrets: { type: "dotenv" },
      experiment_tracker: { type: "mlflow", config: { server_url: "http://127.0.0.1:8080" } },
    }),
    [
      ["warning", "catalog do-nothing"],
      ["warning", "secrets dotenv with executor argo: the file must be in the image; prefer executor.config.secrets_from_k8s"],
      ["warning", "experiment_tracker mlflow: server_url http://127.0.0.1:8080 points at the pod itself"],
    ],
  ],
  [
    "slurm + buffered",
    services("slurm", { run_log_store: { type: "buffered" } }),
    [
      ["error", "Buffered run log store is only supported for local executor (executor slurm)"],
      [
        "error",
        "run_log_store buffered cannot be used with executor slurm: it is not shared with other processes, and each step runs as a batch job on a compute node that must read and write it; use file-system or chunked-fs on a shared file system, or postgres or s3",
      ],
      ["info", "catalog file-system: "],
    ],
  ],
  [
    "slurm + folders and the host's environment",
    services("slurm", { run_log_store: { type: "chunked-fs" } }),
    [
      ["info", "run_log_store chunked-fs: "],
      ["info", "catalog file-system: "],
    ],
  ],
  [
    "slurm + servers on loopback",
    services("slurm", {
      run_log_store: { type: "postgres", config: { connection_url: "postgresql://u@127.0.0.1:5432/db" } },
      catalog: { type: "do-nothing" },
      secrets: { type: "dotenv" },
      experiment_tracker: { type: "mlflow", config: { server_url: "http://localhost:5000" } },
    }),
    [
      ["warning", "catalog do-nothing"],
      ["warning", "run_log_store postgres: connection_url is a loopback address, which on a compute node is the node itself"],
      ["warning", "experiment_tracker mlflow: server_url http://localhost:5000 is a loopback address"],
      ["info", "secrets dotenv: .env is read by each step's job"],
    ],
  ],
  ["local with everything real", services("local"), []],
  ["mocked with everything real", services("mocked"), []],
];

describe("integration rules (§11.7)", () => {
  it.each(TABLE)("%s", async (_name, input, expected) => {
    const findings = await findingsForConfigs(input);
    expect(findings.map((f) => f.level)).toEqual(expected.map(([level]) => level));
    findings.forEach((finding, i) => {
      expect(finding.message.startsWith(expected[i]![1]), `${finding.message}\n  should start with\n${expected[i]![1]}`).toBe(true);
    });
  });
});
