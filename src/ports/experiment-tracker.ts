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

/**
 * A map item or parallel branch a step runs in (a chain of them, outermost first, says where the step
 * is): trackers that keep items apart (MLflow child runs) file the step's metrics under it.
 */
export interface TrackedBranch {
  /** The composite step's internal name (map items resolved), e.g. `sweep`. */
  step: string;
  /** The branch's internal name, e.g. `sweep.0.01` (its key in the run log). */
  branch: string;
  kind: "map" | "parallel";
  /** A map's `iterate_as` and this item's value; a parallel step's name and this branch's name. */
  name: string;
  value: unknown;
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
  /**
   * Publishes the metrics one step attempt recorded; `branches` says which map items and parallel
   * branches the step runs in (empty or absent at the top level).
   */
  publish(stepName: string, points: Iterable<MetricPoint>, branches?: readonly TrackedBranch[]): Promise<void>;
  /** A map item or parallel branch (the last of `branches`) ended with `status`. Optional. */
  endBranch?(branches: readonly TrackedBranch[], status: Status): Promise<void>;
  /** Called once when the run ends. */
  endRun(status: Status): Promise<void>;
  /** What a task needs to log extra things to the same external run (empty for do-nothing). */
  clientContext(): Record<string, unknown>;
  /** Where a person can look at the external run (e.g. the MLflow UI page), once it exists. Optional. */
  runUrl?(): string | undefined;
}
