import { assertNever, failNodeOf, type Graph, type Node, type SuccessNode, type FailNode } from "../core/graph.js";
import type { Status } from "../core/run-log.js";
import { nowMicros } from "../core/time.js";
import { makeAttempt } from "./attempt.js";
import { executeComposite } from "./execute-composite.js";
import { executeStub, executeTask } from "./execute-task.js";
import type { BranchContext, RunState } from "./run-state.js";
import { recordedParameters } from "./scope.js";
import { closeStep, openStep } from "./step-log-writer.js";

/**
 * Walks a graph from `start_at`: after each step, `next` on success, else `on_failure` or the graph's
 * fail node, until a terminal node runs. Returns the graph's status (SUCCESS when `success` was reached).
 */
export async function executeGraph(run: RunState, graph: Graph, ctx: BranchContext): Promise<Status> {
  let current = graph.startAt;
  for (;;) {
    const node = graph.nodes.get(current);
    if (!node) throw new Error(`internal: step "${current}" missing from graph "${graph.internalBranchName}"`);
    if (run.plan.signal?.aborted) return "FAIL";
    const status = await executeNode(run, node, ctx);
    switch (node.kind) {
      case "success":
        return "SUCCESS";
      case "fail":
        return "FAIL";
      default:
        current = status === "SUCCESS" ? node.next : node.onFailure || failNodeOf(graph).name;
    }
  }
}

function executeNode(run: RunState, node: Node, ctx: BranchContext): Promise<Status> {
  switch (node.kind) {
    case "task":
      return run.taskSlots.run(() => executeTask(run, node, ctx));
    case "stub":
      return executeStub(run, node, ctx);
    case "success":
    case "fail":
      return executeTerminal(run, node, ctx);
    case "parallel":
    case "map":
    case "dag":
      return executeComposite(run, node, ctx, executeGraph);
    default:
      return assertNever(node);
  }
}

/** A terminal node's own step log is always SUCCESS; the graph status is set by the caller. */
async function executeTerminal(run: RunState, node: SuccessNode | FailNode, ctx: BranchContext): Promise<Status> {
  const step = await openStep(run, node, ctx);
  step.log.attempts.push(
    makeAttempt({ number: 1, startedMicros: nowMicros(), status: "SUCCESS", message: "", parameters: recordedParameters(ctx.scope) }),
  );
  step.log.status = "SUCCESS";
  await closeStep(run, ctx, step);
  return "SUCCESS";
}
