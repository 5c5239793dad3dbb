import type { TaskNode } from "../core/graph.js";
import { MetricSeries } from "../core/metrics.js";
import { parametersProblem } from "../core/parameters.js";
import { returnKinds, type ParameterKinds } from "../core/returns.js";
import type { Parameters } from "../core/run-log.js";
import type { TaskOutcome } from "../ports/task-runner.js";

// What a successful attempt hands on: the parameters it set (February-2024: a returned mapping,
// set_parameter, RUNNABLE_PRM_*) and the values it returned by name (runnable 0.50's `returns`), which
// win and carry their kinds. A `metric` return is also a metric of the step, as `track_this` at step 0.

/** What a successful attempt produced, ready to be assigned and recorded. */
export interface TaskOutputs {
  /** Every parameter it set or returned. */
  values: Parameters;
  /** Kinds of the non-JSON ones (from the declared returns). */
  kinds: ParameterKinds;
  /** The returned values alone (the attempt's `output_parameters`), or undefined when the task declares no returns. */
  returned?: Parameters;
}

/**
 * Why a successful outcome cannot be kept (a runner that does not hand back the declared returns, a
 * value that is not data), or undefined.
 */
export function outputsProblem(node: TaskNode, outcome: TaskOutcome): string | undefined {
  const declared = node.returns ?? [];
  if (declared.length > 0 && outcome.returns === undefined) {
    return `the ${node.task.command_type} task runner does not hand back returned values, but the step declares returns (${declared.map((r) => r.name).join(", ")})`;
  }
  const unkept = parametersProblem(outcome.parameters) ?? parametersProblem(outcome.returns ?? {});
  return unkept ? `the task's output cannot be kept: ${unkept}` : undefined;
}

/** The outcome with its `metric` returns added to its metrics (step 0, now), as runnable 0.50 records them. */
export function withMetricReturns(node: TaskNode, outcome: TaskOutcome, nowMs: number): TaskOutcome {
  const metrics = (node.returns ?? []).filter((r) => r.kind === "metric" && Object.hasOwn(outcome.returns ?? {}, r.name));
  if (metrics.length === 0) return outcome;
  const series = MetricSeries.from(outcome.metrics);
  for (const { name } of metrics) series.record(name, 0, outcome.returns![name], nowMs);
  return { ...outcome, metrics: series };
}

/** The parameters and kinds a successful outcome sets. */
export function taskOutputs(node: TaskNode, outcome: TaskOutcome): TaskOutputs {
  const declared = node.returns ?? [];
  if (declared.length === 0 || outcome.returns === undefined) return { values: outcome.parameters, kinds: {} };
  const returned = outcome.returns;
  return { values: { ...outcome.parameters, ...returned }, kinds: returnKinds(declared, returned), returned };
}
