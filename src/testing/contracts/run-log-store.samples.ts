import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type RunConfig, type StepLog, newStepLog } from "../../core/run-log.js";
import type { RunHeader, RunLogStore } from "../../ports/run-log-store.js";

/** The run log contract shipped with the package (`contracts/run-log.schema.json` in its root folder). */
export function contractSchemaPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = path.join(dir, "contracts", "run-log.schema.json");
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error("contracts/run-log.schema.json not found above " + fileURLToPath(import.meta.url));
}

/** What a contract run needs: a fresh store, optionally a way to open a second instance on the same data. */
export interface RunLogStoreHarness {
  store: RunLogStore;
  /** A new store instance over the same storage (as another process would open it). */
  reopen?: () => Promise<RunLogStore>;
  /**
   * Starts another process that takes the lease of `runId` on the same storage and keeps it until
   * killed; resolves with its pid once the lease is held.
   */
  holdLeaseElsewhere?: (runId: string) => Promise<{ pid: number }>;
  cleanup: () => Promise<void>;
}

/** What a store can do beyond the basics, declared up front so cases it cannot run are skipped with a reason. */
export interface RunLogStoreCapabilities {
  /** Several instances (processes, hosts) share the storage: the harness has `reopen`. */
  sharedStorage: boolean;
  /** Another process can hold a lease on the storage: the harness has `holdLeaseElsewhere`. */
  leasesAcrossProcesses: boolean;
}

/** A complete `run_config` for tests. */
export function sampleRunConfig(runId: string, pipelineFile: string | null = "pipeline.yaml"): RunConfig {
  const service = (name: string, kind: string) => ({ service_name: name, service_type: kind });
  return {
    executor: { ...service("local", "executor"), enable_parallel: false, overrides: {} },
    run_log_store: service("file-system", "run_log_store"),
    secrets_handler: service("do-nothing", "secrets"),
    catalog_handler: service("file-system", "catalog"),
    experiment_tracker: service("do-nothing", "experiment_tracker"),
    pipeline_file: pipelineFile,
    parameters_file: null,
    configuration_file: null,
    tag: "contract",
    run_id: runId,
    variables: {},
    use_cached: false,
    original_run_id: "",
    dag: { start_at: "step 1", steps: { "step 1": { type: "task", name: "step 1", next: "success" } } },
    dag_hash: "0123abcd",
    execution_plan: "chained",
  };
}

/** A run header in state PROCESSING for tests. */
export function sampleRunHeader(runId: string, pipelineFile: string | null = "pipeline.yaml"): RunHeader {
  return {
    run_id: runId,
    dag_hash: "0123abcd",
    use_cached: false,
    tag: "contract",
    original_run_id: "",
    status: "PROCESSING",
    parameters: { x: 1, greeting: "grüß dich ✓" },
    run_config: sampleRunConfig(runId, pipelineFile),
  };
}

/** A filled-in step log (attempt, code identity, catalog entry, metrics) for tests. */
export function sampleStepLog(internalName: string, stepType = "task", status: StepLog["status"] = "SUCCESS"): StepLog {
  const name = internalName.slice(internalName.lastIndexOf(".") + 1);
  return {
    ...newStepLog(name, internalName, stepType),
    status,
    message: "héllo ✓",
    code_identities: [
      {
        code_identifier: "abc123",
        code_identifier_type: "git",
        code_identifier_dependable: true,
        code_identifier_url: "https://example.com/repo.git",
        code_identifier_message: "",
      },
    ],
    attempts: [
      {
        attempt_number: 1,
        start_time: "2026-01-02 03:04:05.123456",
        end_time: "2026-01-02 03:04:06.654321",
        duration: "0:00:01.530865",
        status,
        message: "",
        parameters: { x: 1 },
      },
    ],
    user_defined_metrics: { score: 0.5 },
    data_catalog: [
      {
        name: `${name}.execution.log`,
        data_hash: "f".repeat(64),
        catalog_relative_path: `run/${name}.execution.log`,
        catalog_handler_location: ".catalog",
        stage: "put",
      },
    ],
  };
}
