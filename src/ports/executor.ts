import type { Problem } from "../core/errors.js";
import type { Graph, StubNode, TaskNode } from "../core/graph.js";

/** A step the engine runs itself (task or stub). */
export type LeafNode = TaskNode | StubNode;

/**
 * What the executor wants done with a task or stub step: run it as defined, run a replacement (a
 * mocked executor's patch), or record it as run without running it (`mock: true`).
 */
export type StepDisposition = { kind: "run"; node: LeafNode } | { kind: "mock" };

/** Decides how and where steps run (in-process, containers, mocked, ...) and how much runs at once. */
export interface Executor {
  readonly type: string;
  /** Config fields to record in `run_config.executor`. */
  readonly recordedConfig: Record<string, unknown>;
  /** How many branches of a parallel/map node may run at once (1 = sequential). */
  readonly maxParallel: number;
  /**
   * The time limit of one attempt of `node` in milliseconds (`max_step_duration_in_seconds`, with the
   * step's `overrides` bundle applied), or undefined for none.
   */
  stepTimeLimitMs(node: LeafNode): number | undefined;
  /** What to do with a task or stub step (default: run it as defined). */
  disposition?(node: LeafNode): StepDisposition;
  /** Problems with running `graph` on this executor, found before anything runs (e.g. a patched stub). */
  check?(graph: Graph): Problem[];
}
