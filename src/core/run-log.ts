import type { z } from "zod";
import type {
  attemptSchema,
  branchLogSchema,
  codeIdentitySchema,
  dataCatalogSchema,
  parametersSchema,
  runConfigSchema,
  runLogSchema,
  serviceRecordSchema,
  statusSchema,
  stepLogSchema,
} from "./run-log-schema.js";

// The run log's types are those of its zod schemas (run-log-schema.ts, where each field is documented).

/** Statuses of runs, steps, branches and attempts (names as runnable writes them). */
export type Status = z.output<typeof statusSchema>;

/** A JSON object of parameter name to value. */
export type Parameters = z.output<typeof parametersSchema>;

/** Identity of the code that ran a step (git commit, container image). */
export type CodeIdentity = z.output<typeof codeIdentitySchema>;

/** One file moved by the catalog, as recorded in a step log. */
export type DataCatalog = z.output<typeof dataCatalogSchema>;

/** One attempt at running a step. */
export type Attempt = z.output<typeof attemptSchema>;

/** The log of one step; composite steps hold their branches. */
export type StepLog = z.output<typeof stepLogSchema>;

/** The log of one branch of a composite step. */
export type BranchLog = z.output<typeof branchLogSchema>;

/** A service as recorded in `run_config` (name, kind and its config fields flattened in). */
export type ServiceRecord = z.output<typeof serviceRecordSchema>;

/** The serialised run context (`run_config`), as runnable writes it. */
export type RunConfig = z.output<typeof runConfigSchema>;

/** One run's whole record. */
export type RunLog = z.output<typeof runLogSchema>;

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
