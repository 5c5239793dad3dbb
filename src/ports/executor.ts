import type { Graph } from "../core/graph.js";
import type { Parameters } from "../core/run-log.js";

/** What a rendering executor (e.g. `argo`) gets to compile a whole run instead of running it. */
export interface RenderRequest {
  graph: Graph;
  /** The pipeline file as given to `runnable execute -f` (pods read it again), or null for an in-memory pipeline. */
  pipelineFile: string | null;
  configFile: string | null;
  parametersFile: string | null;
  tag: string;
  /** Initial parameters (parameters file + `RUNNABLE_PRM_*`). */
  parameters: Parameters;
  /** Config variables (`RUNNABLE_VAR_*`) the configuration was substituted with. */
  variables: Readonly<Record<string, string>>;
  cwd: string;
}

/** What a render produced: the file written and what to tell the user (next steps). */
export interface RenderOutcome {
  file: string;
  message: string;
}

/** Decides how and where task steps run (in-process, containers, ...) and how much runs at once. */
export interface Executor {
  readonly type: string;
  /** Config fields to record in `run_config.executor`. */
  readonly recordedConfig: Record<string, unknown>;
  /** How many branches of a parallel/map node may run at once (1 = sequential). */
  readonly maxParallel: number;
  /** Present on executors that compile the run for another system (e.g. an Argo manifest) and run nothing. */
  render?(request: RenderRequest): Promise<RenderOutcome>;
}
