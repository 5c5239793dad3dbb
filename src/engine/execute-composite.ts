import { messageOf } from "../core/errors.js";
import type { CompositeNode, Graph } from "../core/graph.js";
import { DAG_BRANCH, itemText, type MapVariable } from "../core/names.js";
import type { Status } from "../core/run-log.js";
import { cloneJson } from "../core/parameters.js";
import { makeAttempt } from "./attempt.js";
import { fanIn } from "./fan-in.js";
import { mapLimit } from "./map-limit.js";
import type { BranchContext, RunState, Scope } from "./run-state.js";
import { closeStep, openStep } from "./step-log-writer.js";
import { nowMicros } from "../core/time.js";

/** One branch to run: its key in the run log, its graph, its own parameter scope. */
export interface BranchPlan {
  key: string;
  graph: Graph;
  scope: Scope;
  mapVariable: MapVariable;
  item?: unknown;
}

type GraphRunner = (run: RunState, graph: Graph, ctx: BranchContext) => Promise<Status>;

/**
 * Runs a parallel, map or dag step: creates every branch log (fan-out), runs the branches with the
 * executor's concurrency limit, each on its own copy of the parameters, then rolls statuses and
 * parameters up (fan-in). The step succeeds only when every branch does.
 */
export async function executeComposite(run: RunState, node: CompositeNode, ctx: BranchContext, runGraph: GraphRunner): Promise<Status> {
  const step = await openStep(run, node, ctx);
  const started = nowMicros();
  const stepKey = step.log.internal_name;
  const inputs = cloneJson(ctx.scope.parameters);
  let message = "";
  try {
    const branches = planBranches(node, ctx, stepKey);
    const { runLogStore, executor } = run.services;
    for (const b of branches) {
      await runLogStore.putBranch(run.plan.runId, [...ctx.location, [stepKey, b.key]], { internal_name: b.key, status: "PROCESSING", steps: {} });
    }
    const statuses = await mapLimit(branches, executor.maxParallel, async (b) => {
      const location = [...ctx.location, [stepKey, b.key] as const];
      const status = await runGraph(run, b.graph, { location, mapVariable: b.mapVariable, scope: b.scope });
      await runLogStore.putBranch(run.plan.runId, location, { internal_name: b.key, status, steps: {}, parameters: b.scope.parameters });
      return status;
    });
    const failedBranches = branches.filter((_, i) => statuses[i] !== "SUCCESS").map((b) => b.key);
    if (failedBranches.length > 0) message = `branches failed: ${failedBranches.join(", ")}`;
    else message = fanIn(node, ctx.scope, branches);
  } catch (error) {
    message = messageOf(error);
  }
  const status: Status = message ? "FAIL" : "SUCCESS";
  step.log.status = status;
  step.log.message = message;
  step.log.attempts.push(makeAttempt({ number: 1, startedMicros: started, status, message, parameters: inputs }));
  await closeStep(run, ctx, step);
  return status;
}

function planBranches(node: CompositeNode, ctx: BranchContext, stepKey: string): BranchPlan[] {
  const copy = (): Scope => ({ parameters: cloneJson(ctx.scope.parameters) });
  switch (node.kind) {
    case "parallel":
      return Object.entries(node.branches).map(([name, graph]) => ({
        key: `${stepKey}.${name}`,
        graph,
        scope: copy(),
        mapVariable: ctx.mapVariable,
      }));
    case "dag":
      return [{ key: `${stepKey}.${DAG_BRANCH}`, graph: node.branch, scope: copy(), mapVariable: ctx.mapVariable }];
    case "map":
      return mapBranches(node, ctx, stepKey, copy);
  }
}

function mapBranches(node: Extract<CompositeNode, { kind: "map" }>, ctx: BranchContext, stepKey: string, copy: () => Scope): BranchPlan[] {
  if (!(node.iterateOn in ctx.scope.parameters)) {
    throw new Error(`Expected parameter ${node.iterateOn} not present in the parameters, was it ever set before?`);
  }
  const items = ctx.scope.parameters[node.iterateOn];
  if (!Array.isArray(items)) throw new Error(`Only list is allowed as a valid iterator type: parameter ${node.iterateOn} is ${typeof items}`);
  const seen = new Set<string>();
  return items.map((item, index) => {
    let key = `${stepKey}.${itemText(item)}`;
    if (seen.has(key)) key = `${key}#${index}`;
    seen.add(key);
    const scope = copy();
    scope.parameters[node.iterateAs] = cloneJson(item);
    return { key, graph: node.branch, scope, mapVariable: [...ctx.mapVariable, [node.iterateAs, item] as const], item };
  });
}
