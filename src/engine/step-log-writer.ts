import type { Node } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import { newStepLog, type StepLog } from "../core/run-log.js";
import { nowMicros } from "../core/time.js";
import type { BranchContext, RunState } from "./run-state.js";

/** A step log being written, with when it started. */
export interface OpenStep {
  log: StepLog;
  startedMicros: number;
}

/** Creates a step's log (PROCESSING, with the run's code identity), stores it and reports it. */
export async function openStep(run: RunState, node: Node, ctx: BranchContext): Promise<OpenStep> {
  const log = newStepLog(node.name, resolveName(node.internalName, ctx.mapVariable), node.kind);
  log.code_identities.push({ ...run.identity });
  log.status = "PROCESSING";
  await run.services.runLogStore.putStep(run.plan.runId, ctx.location, log);
  run.services.onEvent?.({ type: "step-start", internalName: log.internal_name, kind: node.kind });
  return { log, startedMicros: nowMicros() };
}

/** Stores a finished step log and reports it. */
export async function closeStep(run: RunState, ctx: BranchContext, step: OpenStep): Promise<void> {
  await run.services.runLogStore.putStep(run.plan.runId, ctx.location, step.log);
  run.services.onEvent?.({
    type: "step-end",
    internalName: step.log.internal_name,
    kind: step.log.step_type,
    status: step.log.status,
    durationMs: (nowMicros() - step.startedMicros) / 1000,
  });
}
