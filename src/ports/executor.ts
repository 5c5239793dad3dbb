/** Decides how and where task steps run (in-process, containers, ...) and how much runs at once. */
export interface Executor {
  readonly type: string;
  /** Config fields to record in `run_config.executor`. */
  readonly recordedConfig: Record<string, unknown>;
  /** How many branches of a parallel/map node may run at once (1 = sequential). */
  readonly maxParallel: number;
}
