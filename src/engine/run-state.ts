import type { MapVariable } from "../core/names.js";
import type { CodeIdentity, LogLocation, Parameters } from "../core/run-log.js";
import type { Limiter } from "./map-limit.js";
import type { RunPlan, Services } from "./services.js";

/** What every step of one run shares. */
export interface RunState {
  plan: RunPlan;
  services: Services;
  identity: CodeIdentity;
  /** Launching environment without per-step variables. */
  baseEnv: Record<string, string>;
  /** Secret values seen in this run (masked wherever they would be written). */
  secretValues: Set<string>;
  /** Admits at most `executor.maxParallel` task steps of this run at once, however deep the nesting. */
  taskSlots: Limiter;
}

/** Parameters visible to the steps of one graph (the run, or one branch). */
export interface Scope {
  /** The scope's own key map; values may be shared with the parent scope and are never changed in place. */
  parameters: Parameters;
  /** Values recorded once higher up (a map's list): left out of this scope's records while unchanged. */
  hidden?: ReadonlyMap<string, unknown>;
}

/** Where in the run a graph executes. */
export interface BranchContext {
  /** Branch chain of the graph's step logs ([] at top level). */
  location: LogLocation;
  mapVariable: MapVariable;
  scope: Scope;
}
