import type { TrackedPoint } from "../core/metrics.js";
import type { Status } from "../core/run-log.js";

/** One recorded value: `key` at `step`, recorded at `time_ms` (epoch ms). */
export type MetricPoint = TrackedPoint;

/** Facts about the run a tracker mirrors. */
export interface TrackedRun {
  runId: string;
  tag: string;
  pipelineName: string;
  gitCommit: string | null;
  /** The run's parameters when it starts (secrets masked), for trackers that record them (MLflow params). */
  parameters?: Readonly<Record<string, unknown>>;
}

/** What a tracker is, for rules written against traits (never against type names). */
export interface TrackerTraits {
  /** The tracking server it mirrors runs to (absent: metrics stay in the run log only). */
  server?: { url: string; setting: string };
}

/** Mirrors a run's metrics to an external system. Never fails the run: errors become warnings. */
export interface ExperimentTracker {
  readonly type: string;
  /** What the tracker is (see {@link TrackerTraits}). */
  readonly traits: TrackerTraits;
  /** Config fields to record in `run_config.experiment_tracker`. */
  readonly recordedConfig: Record<string, unknown>;
  /** Called once when the run starts. */
  startRun(run: TrackedRun): Promise<void>;
  /** Publishes the metrics one step attempt recorded. */
  publish(stepName: string, points: Iterable<MetricPoint>): Promise<void>;
  /** Called once when the run ends. */
  endRun(status: Status): Promise<void>;
  /** What a task needs to log extra things to the same external run (empty for do-nothing). */
  clientContext(): Record<string, unknown>;
  /** Where a person can look at the external run (e.g. the MLflow UI page), once it exists. Optional. */
  runUrl?(): string | undefined;
}
