import { assertNever, failNodeOf, type FailNode, type Graph, type Node, type SuccessNode } from "../core/graph.js";
import { resolveName } from "../core/names.js";
import type { Status } from "../core/run-log.js";
import { makeAttempt } from "./attempt.js";
import { executeComposite } from "./execute-composite.js";
import { executeRemoteTask, runsRemotely } from "./execute-remote.js";
import { executeStub, executeTask } from "./execute-task.js";
import { dropUnreachedTerminals, priorOf, skipStep, skippable } from "./prior.js";
import { type BranchContext, type RunState, type StepPlace, stopReason } from "./run-state.js";
import { recordedParameters } from "./scope.js";
import { closeStepWithCaller, nextAttemptNumber, openStep } from "./step-log-writer.js";

/**
 * Walks a graph from `start_at`: after each step, `next` on success, else `on_failure` or the graph's
 * fail node, until a terminal node runs. Returns the graph's status (SUCCESS when `success` was
 * reached). A stopped run starts no further step: the graph ends FAIL where it stood.
 */
export async function executeGraph(run: RunState, graph: Graph, ctx: BranchContext): Promise<Status> {
  let current = graph.startAt;
  const reached = new Set<string>();
  for (let seq = 0; ; seq++) {
    const node = graph.nodes.get(current);
    if (!node) throw new Error(`internal: step "${current}" missing from graph "${graph.internalBranchName}"`);
    if (stopReason(run)) return "FAIL";
    reached.add(resolveName(node.internalName, ctx.mapVariable, ctx.loops));
    const last = node.kind !== "success" && node.kind !== "fail" && graph.nodes.get(node.next)?.kind === "success";
    const leadsToTerminal = (status: Status): boolean => isTerminal(graph.nodes.get(nextOf(graph, node, status)));
    const status = await executeNode(run, node, ctx, { seq, prior: priorOf(ctx, node), leadsToTerminal, ...(last ? { last } : {}) });
    switch (node.kind) {
      case "success":
      case "fail":
        await dropUnreachedTerminals(run, graph, ctx, reached);
        return node.kind === "success" ? "SUCCESS" : "FAIL";
      default:
        if (status !== "SUCCESS" && stopReason(run)) return "FAIL";
        current = nextOf(graph, node, status);
    }
  }
}

/** The step the walk goes to after `node` ended with `status` (a terminal node has none). */
function nextOf(graph: Graph, node: Node, status: Status): string {
  if (node.kind === "success" || node.kind === "fail") return "";
  return status === "SUCCESS" ? node.next : node.onFailure || failNodeOf(graph).name;
}

const isTerminal = (node: Node | undefined): boolean => node?.kind === "success" || node?.kind === "fail";

function executeNode(run: RunState, node: Node, ctx: BranchContext, place: StepPlace): Promise<Status> {
  if (skippable(node, place.prior)) return skipStep(run, node, ctx, place, place.prior);
  switch (node.kind) {
    case "task":
      return run.taskSlots.run(() => (runsRemotely(run, node) ? executeRemoteTask(run, node, ctx, place) : executeTask(run, node, ctx, place)));
    case "stub":
      return executeStub(run, node, ctx, place);
    case "success":
    case "fail":
      return executeTerminal(run, node, ctx, place);
    case "parallel":
    case "map":
    case "dag":
    case "conditional":
    case "loop":
      return executeComposite(run, node, ctx, place, executeGraph);
    default:
      return assertNever(node);
  }
}

/** A terminal node's own step log is always SUCCESS; the graph status is set by the caller. */
export async function executeTerminal(run: RunState, node: SuccessNode | FailNode, ctx: BranchContext, place: StepPlace): Promise<Status> {
  const step = await openStep(run, node, ctx, place);
  const parameters = recordedParameters(ctx.scope);
  step.log.attempts.push(
    makeAttempt({
      number: nextAttemptNumber(step.log),
      startedMicros: run.services.now(),
      endedMicros: run.services.now(),
      status: "SUCCESS",
      message: "",
      parameters,
    }),
  );
  step.log.status = "SUCCESS";
  // Nothing happens between a terminal step and its graph's end: its write can go with the caller's.
  await closeStepWithCaller(run, ctx, step);
  return "SUCCESS";
}
