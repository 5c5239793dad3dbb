/** Statuses of runs, steps, branches and attempts (names as runnable writes them). */
export type Status = "CREATED" | "TRIGGERED" | "PROCESSING" | "SUCCESS" | "FAIL";

/** A JSON object of parameter name to value. */
export type Parameters = Record<string, unknown>;

/** Identity of the code that ran a step (git commit, container image). */
export interface CodeIdentity {
  code_identifier: string | null;
  code_identifier_type: string | null;
  code_identifier_dependable: boolean | null;
  code_identifier_url: string | null;
  code_identifier_message: string | null;
}

/** One file moved by the catalog, as recorded in a step log. */
export interface DataCatalog {
  name: string;
  data_hash: string;
  catalog_relative_path: string;
  catalog_handler_location: string;
  stage: "get" | "put";
}

/** One attempt at running a step. */
export interface Attempt {
  attempt_number: number;
  start_time: string;
  end_time: string;
  duration: string;
  status: Status;
  message: string;
  /** Parameters the attempt saw (its inputs). */
  parameters: Parameters;
  /** Metrics a failed attempt recorded (the successful attempt's are the step's); an additive field. */
  user_defined_metrics?: Record<string, unknown>;
  /**
   * When each metric value was recorded, per key: epoch ms in increasing step order, delta-encoded
   * (`encodeMetricTimes`); older run logs hold `{step: epoch ms}` objects. Additive.
   */
  metric_times_ms?: Record<string, string | Record<string, number>>;
}

/** The log of one step; composite steps hold their branches. */
export interface StepLog {
  name: string;
  internal_name: string;
  status: Status;
  step_type: string;
  message: string;
  mock: boolean;
  code_identities: CodeIdentity[];
  attempts: Attempt[];
  user_defined_metrics: Record<string, unknown>;
  branches: Record<string, BranchLog>;
  data_catalog: DataCatalog[];
  /**
   * The parameters the step produced (what its successful attempt set or changed; for a composite, what
   * fan-in set). Kept so that a skipped step's outputs can be restored by re-runs and retries; additive.
   */
  output_parameters?: Parameters;
}

/** The log of one branch of a composite step. */
export interface BranchLog {
  internal_name: string;
  status: Status;
  steps: Record<string, StepLog>;
  /** Parameters of the branch scope at its end (an additive field). */
  parameters?: Parameters;
}

/** A service as recorded in `run_config` (name, kind and its config fields flattened in). */
export interface ServiceRecord {
  service_name: string;
  service_type: string;
  [key: string]: unknown;
}

/** The serialised run context (`run_config`), as runnable writes it. */
export interface RunConfig {
  executor: ServiceRecord;
  run_log_store: ServiceRecord;
  secrets_handler: ServiceRecord;
  catalog_handler: ServiceRecord;
  experiment_tracker: ServiceRecord;
  pipeline_file: string | null;
  parameters_file: string | null;
  configuration_file: string | null;
  tag: string | null;
  run_id: string;
  variables: Record<string, string>;
  use_cached: boolean;
  original_run_id: string | null;
  dag: Record<string, unknown>;
  dag_hash: string | null;
  execution_plan: string;
  [key: string]: unknown;
}

/** One run's whole record. */
export interface RunLog {
  run_id: string;
  dag_hash: string | null;
  use_cached: boolean;
  tag: string | null;
  original_run_id: string | null;
  status: Status;
  steps: Record<string, StepLog>;
  parameters: Parameters;
  run_config: RunConfig;
  /** The parameters the run started with (its `parameters` become the final ones); additive. */
  initial_parameters?: Parameters;
}

/** Where a step or branch log lives: the (composite step key, branch key) pairs above it; [] = top level. */
export type LogLocation = ReadonlyArray<readonly [stepKey: string, branchKey: string]>;

/** A new step log in state CREATED. */
export function newStepLog(name: string, internalName: string, stepType: string): StepLog {
  return {
    name,
    internal_name: internalName,
    status: "CREATED",
    step_type: stepType,
    message: "",
    mock: false,
    code_identities: [],
    attempts: [],
    user_defined_metrics: {},
    branches: {},
    data_catalog: [],
  };
}

/** A new branch log in state CREATED. */
export function newBranchLog(internalName: string): BranchLog {
  return { internal_name: internalName, status: "CREATED", steps: {} };
}

/** Finds the steps map at a location inside a run log, or undefined when a link is missing. */
export function stepsAt(runLog: Pick<RunLog, "steps">, location: LogLocation): Record<string, StepLog> | undefined {
  let steps: Record<string, StepLog> = runLog.steps;
  for (const [stepKey, branchKey] of location) {
    const branch = steps[stepKey]?.branches[branchKey];
    if (!branch) return undefined;
    steps = branch.steps;
  }
  return steps;
}

/** Finds a branch log at a location (its last pair names the branch), or undefined. */
export function branchAt(runLog: Pick<RunLog, "steps">, location: LogLocation): BranchLog | undefined {
  if (location.length === 0) return undefined;
  const parent = stepsAt(runLog, location.slice(0, -1));
  const [stepKey, branchKey] = location[location.length - 1]!;
  return parent?.[stepKey]?.branches[branchKey];
}
