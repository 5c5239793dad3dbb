import type { DataCatalog } from "../core/run-log.js";
import type { Freed, RunLogStoreTraits } from "./run-log-store.js";

/** A file stored in a run's catalog, ready to be read. */
export interface StoredFile {
  /** Size in bytes. */
  size: number;
  /** Streams the content (each call opens the file anew). */
  open(): AsyncIterable<Uint8Array>;
}

/** Content streamed into the catalog (an execution log); nothing is visible under its name until `commit`. */
export interface ContentWriter {
  /** Appends bytes (synchronously: the caller's stream waits, so memory stays bounded). */
  write(chunk: string | Uint8Array): void;
  /** Bytes written so far. */
  readonly bytes: number;
  /** Makes the content visible under its name (atomically) and returns its record with the SHA-256. */
  commit(): Promise<DataCatalog[]>;
  /** Drops what was written. */
  abort(): Promise<void>;
}

/** Where a service's server is: its address as configured, the setting holding it, and the environment variables its credentials come from. */
export type ServerAccess = NonNullable<RunLogStoreTraits["server"]>;

/**
 * What a catalog is, for rules written against traits (never against type names): whether it copies
 * anything, how other processes and machines reach its files.
 */
export interface CatalogTraits {
  /** Catalog get/put copy files (false: nothing passes between steps through it). */
  copies: boolean;
  /** How other processes reach its files: not at all, through its folder (mounted or shared), or by connecting to its server. */
  sharing: "none" | "folder" | "server";
  /** For a catalog on a server (see {@link ServerAccess}). */
  server?: ServerAccess;
  /**
   * Where its objects live, as one comparable text (server, bucket, prefix): a run log store in the same
   * place (its `traits.place`) could have its records replaced by cataloged files of the same name.
   */
  place?: string;
}

/** How a `put` treats what it finds. */
export interface PutOptions {
  /**
   * False: record each file (its name and hash) without copying it into the catalog — runnable 0.50's
   * `store_copy: false`, for files too large to copy; a later `get` of it finds nothing. Default true.
   */
  storeCopy?: boolean;
  /** True: a pattern that matches nothing records nothing instead of failing (the put after a failed attempt). */
  allowMissing?: boolean;
  /**
   * Epoch ms the attempt started: a matching file last changed before it was not made by the attempt,
   * and is left out or refused as the catalog's `stale_files` setting says.
   */
  since?: number;
  /** Who puts, for messages (`step "sweep.0.1.train"`). */
  owner?: string;
  /** Called with the names about to be stored, before any is copied; throws to refuse them (two concurrent branches putting one name). */
  claim?: (names: readonly string[]) => void;
}

/** Moves files between the working directory and a run-scoped store, recording each transfer. */
export interface Catalog {
  readonly type: string;
  /** What the catalog is (see {@link CatalogTraits}). */
  readonly traits: CatalogTraits;
  /** Config fields to record in `run_config.catalog_handler`. */
  readonly recordedConfig: Record<string, unknown>;
  /**
   * Copies files matching the glob `pattern` from the run's catalog into the working directory.
   * Fails with CATALOG_ERROR when nothing matches or the pattern escapes the catalog.
   */
  get(pattern: string, runId: string): Promise<DataCatalog[]>;
  /**
   * Copies files matching the glob `pattern` from the working directory into the run's catalog (or,
   * with `storeCopy: false`, only records them). Fails with CATALOG_ERROR when nothing matches (unless
   * `allowMissing`) or the pattern escapes the working directory; with `options.since`, files older
   * than the attempt are left out or refused (see {@link PutOptions}).
   */
  put(pattern: string, runId: string, options?: PutOptions): Promise<DataCatalog[]>;
  /** Stores generated content (e.g. an execution log) under `name` in the run's catalog. */
  putContent(name: string, content: string | Uint8Array, runId: string): Promise<DataCatalog[]>;
  /**
   * A file of the run's catalog by its path relative to the run's area (as `name` in a DataCatalog entry).
   * Fails with CATALOG_ERROR for paths that escape the area (absolute, `..`, links out) or do not exist.
   */
  readFile(runId: string, relativePath: string): Promise<StoredFile>;
  /** Removes everything the catalog holds for a run (nothing to remove is not an error). */
  deleteRun(runId: string): Promise<Freed>;
  /** Opens a writer that streams content to `name` in the run's catalog (for output of any size). */
  createContent(name: string, runId: string): Promise<ContentWriter>;
  /** Copies a previous run's catalog into the current run's (re-runs). */
  syncBetweenRuns(previousRunId: string, runId: string): Promise<void>;
  /**
   * What the catalog already holds for `runId` before a run of that id starts: nothing, files (an
   * earlier run's, or prepared on purpose to debug a copy of a failed run), or a symbolic link in
   * place of the run's folder (which would send its files anywhere). Optional.
   */
  existingRun?(runId: string): Promise<"none" | "files" | "link">;
  /** Releases what this instance made while the process ran (temp folders); called once at the end. Optional. */
  dispose?(): Promise<void>;
}
