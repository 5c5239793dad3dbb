import type { MapVariable } from "../core/names.js";
import type { CodeIdentity, LogLocation, Parameters, Status, StepLog } from "../core/run-log.js";
import type { StopReason } from "../core/stop.js";
import type { Limiter } from "../core/map-limit.js";
import type { ParameterKinds } from "../core/returns.js";
import type { TrackedBranch } from "../ports/experiment-tracker.js";
import type { RunPlan, Services } from "./services.js";
import type { MemoryObjects } from "./objects.js";
import type { StoredReads } from "./stored-reads.js";

/** What every step of one run shares. */
export interface RunState {
  plan: RunPlan;
  services: Services;
  /** What is recorded on every step: the git identity, and the image's when the step runs in a container. */
  identities: CodeIdentity[];
  /** Launching environment without per-step variables. */
  baseEnv: Record<string, string>;
  /** Secret values seen in this run (masked wherever they would be written). */
  secretValues: Set<string>;
  /** Admits at most `executor.maxParallel` task steps of this run at once, however deep the nesting. */
  taskSlots: Limiter;
  /** Reads of the stored run shared by the launched steps that end at the same time. */
  storedReads: StoredReads;
  /** Catalog names put in this run and who put them (engine/catalog-puts.ts), made on the first put. */
  catalogClaims?: Map<string, { location: LogLocation; step: string }>;
  /** Where the run's objects are kept when the executor keeps them in memory (`capabilities.objectsInMemory`). */
  memoryObjects?: MemoryObjects;
}

/** Why the run is stopping, or undefined while it goes on. */
export function stopReason(run: RunState): StopReason | undefined {
  const { signal } = run.plan.stop;
  return signal.aborted ? (signal.reason as StopReason) : undefined;
}

/** Parameters visible to the steps of one graph (the run, or one branch). */
export interface Scope {
  /** The scope's own key map; values may be shared with the parent scope and are never changed in place. */
  parameters: Parameters;
  /** Values recorded once higher up (a map's list): left out of this scope's records while unchanged. */
  hidden?: ReadonlyMap<string, unknown>;
  /** Kinds of the parameters that are not JSON (objects, metrics); the scope's own map, like `parameters`. */
  kinds?: ParameterKinds;
}

/**
 * Step logs recorded earlier for the graph being walked: the same run's (`retry`: succeeded steps are
 * kept, the others continue) or an original run's (`cached`: succeeded steps are recorded as mocked).
 */
export interface PriorSteps {
  mode: "retry" | "cached";
  steps: Readonly<Record<string, StepLog>>;
}

/** Where in the run a graph executes. */
export interface BranchContext {
  /** Branch chain of the graph's step logs ([] at top level). */
  location: LogLocation;
  mapVariable: MapVariable;
  /** Iteration indexes of the enclosing loops, outermost first (they resolve loop placeholders). */
  loops?: readonly number[];
  /** Variables the enclosing loops give the tasks (each loop's `index_as` = its iteration index). */
  loopEnv?: Readonly<Record<string, string>>;
  scope: Scope;
  /** The map items and parallel branches the graph runs in, outermost first (for the tracker). */
  tracked?: readonly TrackedBranch[];
  /** What an earlier record says about this graph's steps (re-runs and retries). */
  prior?: PriorSteps;
  /**
   * Issues the PROCESSING writes of the composite steps around this graph that were opened lazily (a
   * conditional's step and chosen branch): called before any write under this graph's location, so the
   * parents reach the store first, in the same store write. Nothing inside recorded means nothing lost.
   */
  openParents?: () => void;
  /**
   * Set by a caller that writes its own record right after the walk (a branch's final log): the
   * terminal step's write is left here for it, so that both go to the store together (one append).
   */
  terminalWrites?: TerminalWrite[];
  /**
   * Set on a lazily opened conditional's branch: the step right before its success node, when it
   * succeeds, leaves its closing write in `terminalWrites` too. Nothing runs between its end and the
   * branch's but the success step, so when nothing else was written under the conditional, the
   * conditional's and its branch's final logs go to the store with those writes, in one write, and their
   * PROCESSING writes are never needed.
   */
  lastWithBranch?: boolean;
}

/**
 * A closing write left for the caller of a walk: issues its store writes at once and reports its steps'
 * ends once they are stored and `previous` (the write left before it) has reported its own, so ends
 * are reported in the order the steps ended.
 */
export type TerminalWrite = (previous: Promise<void>) => Promise<void>;

/** Where a step sits in its graph's walk. */
export interface StepPlace {
  /** Position in the walk of its graph (orders it among its siblings in every store). */
  seq: number;
  /** The step's earlier record (see {@link PriorSteps}), if any. */
  prior?: StepLog;
  /** Its `next` is its graph's success node (see {@link BranchContext.lastWithBranch}). */
  last?: boolean;
  /** Whether the step the walk goes to after this one, ended with `status`, is a terminal step. */
  leadsToTerminal?: (status: Status) => boolean;
}
