import type { DataCatalog } from "../core/run-log.js";

/** Moves files between the working directory and a run-scoped store, recording each transfer. */
export interface Catalog {
  readonly type: string;
  /** Config fields to record in `run_config.catalog_handler`. */
  readonly recordedConfig: Record<string, unknown>;
  /**
   * Copies files matching the glob `pattern` from the run's catalog into the working directory.
   * Fails with CATALOG_ERROR when nothing matches or the pattern escapes the catalog.
   */
  get(pattern: string, runId: string): Promise<DataCatalog[]>;
  /**
   * Copies files matching the glob `pattern` from the working directory into the run's catalog.
   * Fails with CATALOG_ERROR when nothing matches or the pattern escapes the working directory.
   */
  put(pattern: string, runId: string): Promise<DataCatalog[]>;
  /** Stores generated content (e.g. an execution log) under `name` in the run's catalog. */
  putContent(name: string, content: string | Uint8Array, runId: string): Promise<DataCatalog[]>;
  /** Copies a previous run's catalog into the current run's (re-runs). */
  syncBetweenRuns(previousRunId: string, runId: string): Promise<void>;
}
