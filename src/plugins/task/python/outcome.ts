import { outputsFromEnv } from "../../../core/env-protocol.js";
import type { TrackedPoint } from "../../../core/metrics.js";
import type { Parameters } from "../../../core/run-log.js";
import type { TaskOutcome } from "../../../ports/task-runner.js";
import type { ChannelOutputs } from "./channel.js";

/**
 * The attempt's outcome from what the Python side left: env-var protocol values first, then the API's
 * events (in call order), then returned parameters (the return value wins, as in runnable). Metrics
 * are kept for failed attempts too.
 */
export function outcomeOf(outputs: ChannelOutputs, givenEnv: Readonly<Record<string, string | undefined>>, exit: { code: number; what: string }): TaskOutcome {
  const fromEnv = outputsFromEnv(givenEnv, outputs.env, Date.now());
  const parameters: Parameters = { ...fromEnv.parameters };
  const metrics: TrackedPoint[] = [...fromEnv.metrics];
  for (const event of outputs.events) {
    if (typeof event["key"] !== "string") continue;
    if (event["kind"] === "parameter") parameters[event["key"]] = event["value"];
    if (event["kind"] === "metric") metrics.push(metricOf(event, event["key"]));
  }
  const { result } = outputs;
  if (!result) {
    const why = exit.code === 0 ? "ended without reporting a result" : `exited with code ${exit.code}`;
    return { failure: `${exit.what} ${why} (see the execution log)`, parameters: {}, metrics };
  }
  if (!result.ok) return { failure: result.error ?? `${exit.what} failed`, parameters: {}, metrics };
  return { parameters: { ...parameters, ...(result.parameters ?? {}) }, metrics };
}

function metricOf(event: Record<string, unknown>, key: string): TrackedPoint {
  const step = typeof event["step"] === "number" ? event["step"] : 0;
  const time = typeof event["time_ms"] === "number" ? event["time_ms"] : Date.now();
  return { key, step, value: event["value"] ?? null, time_ms: time };
}
