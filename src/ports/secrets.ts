/** Gives secret values by name. */
export interface Secrets {
  readonly type: string;
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
