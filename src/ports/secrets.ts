/** What a secrets handler is, for rules written against traits (never against type names): where its values come from. */
export interface SecretsTraits {
  /** The environment of the process that asks (`host-environment`), a file (`file`), or nowhere (`none`: every secret is empty). */
  source: "host-environment" | "file" | "none";
  /** With source `file`: the file (absolute path, its value as configured, the setting holding it). */
  file?: { path: string; value: string; setting: string };
}

/** Gives secret values by name. */
export interface Secrets {
  readonly type: string;
  /** What the handler is (see {@link SecretsTraits}). */
  readonly traits: SecretsTraits;
  /** Config fields to record in `run_config.secrets_handler`. */
  readonly recordedConfig: Record<string, unknown>;
  /** The secret's value; fails with SECRET_NOT_FOUND. */
  get(name: string): Promise<string>;
  /**
   * Every secret value this service holds, when it can list them (a dotenv file): they are masked from
   * the start of a run, before any step asked for one. Optional.
   */
  knownValues?(): Promise<string[]>;
}
