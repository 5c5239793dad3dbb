import type { BranchLog, LogLocation, RunLog, StepLog } from "../core/run-log.js";

/** A step log met while walking a run, with where it lives. */
export interface VisitedStep {
  step: StepLog;
  /** The (step key, branch key) pairs above the step; [] for top-level steps. */
  location: LogLocation;
  /** Internal name with every map item replaced by `*` (one name per pipeline step, for aggregation). */
  template: string;
  /** Map items on the way to the step, outermost first. */
  items: string[];
  /** Iteration indexes of the loops on the way to the step, outermost first. */
  iterations: number[];
}

/** The item (or parallel branch name) a branch key adds after its step's internal name. */
export function branchLabel(stepKey: string, branchKey: string): string {
  return branchKey.startsWith(`${stepKey}.`) ? branchKey.slice(stepKey.length + 1) : branchKey;
}

/** Calls `visit` for every step log of a run, depth first in execution order. */
export function walkSteps(run: Pick<RunLog, "steps">, visit: (visited: VisitedStep) => void): void {
  const walk = (steps: Record<string, StepLog>, location: LogLocation, prefix: string, items: string[], iterations: number[]): void => {
    for (const [key, step] of Object.entries(steps)) {
      const template = prefix ? `${prefix}.${step.name}` : step.name;
      visit({ step, location, template, items, iterations });
      for (const [branchKey, branch] of Object.entries(step.branches)) {
        const label = branchLabel(key, branchKey);
        const isMap = step.step_type === "map";
        const isLoop = step.step_type === "loop" && /^\d+$/.test(label);
        const nested = isMap || isLoop ? `${template}.*` : step.step_type === "dag" ? `${template}.dag` : `${template}.${label}`;
        const inner = isLoop ? [...iterations, Number(label)] : iterations;
        walk(branch.steps, [...location, [key, branchKey]], nested, isMap ? [...items, label] : items, inner);
      }
    }
  };
  walk(run.steps, [], "", [], []);
}

/** The step log at `location` with key `stepKey`, or undefined. */
export function stepAtLocation(run: Pick<RunLog, "steps">, location: LogLocation, stepKey: string): StepLog | undefined {
  let steps: Record<string, StepLog> = run.steps;
  for (const [key, branchKey] of location) {
    const branch: BranchLog | undefined = steps[key]?.branches[branchKey];
    if (!branch) return undefined;
    steps = branch.steps;
  }
  return steps[stepKey];
}
