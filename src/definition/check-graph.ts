import { childName } from "../core/names.js";
import { report } from "./context.js";
import type { BuildContext } from "./context.js";
import type { NodeKind } from "./build-node.js";
import { suggestion } from "../core/suggest.js";
import type { DocPath } from "./types.js";

/** What the graph checks need to know about a step, read from its raw definition. */
export interface StepInfo {
  name: string;
  /** Undefined when `type` is missing or unknown. */
  kind: NodeKind | undefined;
  next: string | undefined;
  onFailure: string | undefined;
  /** Undefined for terminal nodes added automatically. */
  path: DocPath | undefined;
}

/** A graph to check: its steps, `start_at` and how to name it in messages. */
export interface GraphCheck {
  steps: StepInfo[];
  startAt: string | undefined;
  path: DocPath;
  /** `the pipeline` or `branch "<internal branch name>"`. */
  where: string;
  internalBranchName: string;
}

type Field = "next" | "on_failure";
interface Edge {
  from: StepInfo;
  field: Field;
  to: string;
}

const isTerminalKind = (kind: NodeKind | undefined): boolean => kind === "success" || kind === "fail";

/**
 * The graph by step index (steps in definition order): each step's `next` and `on_failure` targets
 * (-1: none, or not a step). The walks below run over these arrays: a chain of 10,000 steps is checked
 * in a few milliseconds, where maps and sets keyed by name took ~60 ms.
 */
interface Indexed {
  index: Map<string, number>;
  next: Int32Array;
  onFailure: Int32Array;
}

function indexed(steps: readonly StepInfo[]): Indexed {
  const index = new Map<string, number>();
  for (let i = 0; i < steps.length; i++) if (!index.has(steps[i]!.name)) index.set(steps[i]!.name, i);
  const next = new Int32Array(steps.length).fill(-1);
  const onFailure = new Int32Array(steps.length).fill(-1);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.next) next[i] = index.get(step.next) ?? -1;
    if (step.onFailure) onFailure[i] = index.get(step.onFailure) ?? -1;
  }
  return { index, next, onFailure };
}

/** Checks references, start_at, cycles, reachability and that every path ends (§2.7, §16.1). */
export function checkGraph(ctx: BuildContext, check: GraphCheck): void {
  const graph = indexed(check.steps);
  const refsOk = checkReferences(ctx, check, graph.index);
  const startOk = checkStartAt(ctx, check, graph.index);
  const looping = checkCycles(ctx, check, graph);
  let complete = true;
  for (const step of check.steps) if (step.kind === undefined || (!isTerminalKind(step.kind) && !step.next)) complete = false;
  if (!refsOk || !startOk || !complete) return;
  checkReachable(ctx, check, graph);
  checkEnds(ctx, check, graph, looping);
}

function edgesOf(steps: readonly StepInfo[]): Edge[] {
  const edges: Edge[] = [];
  for (const from of steps) {
    if (from.next) edges.push({ from, field: "next", to: from.next });
    if (from.onFailure) edges.push({ from, field: "on_failure", to: from.onFailure });
  }
  return edges;
}

function stepLabel(check: GraphCheck, name: string): string {
  return `step "${childName(check.internalBranchName, name)}"`;
}

function checkReferences(ctx: BuildContext, check: GraphCheck, index: Map<string, number>): boolean {
  let ok = true;
  let names: string[] | undefined;
  for (const from of check.steps) {
    if (!from.path) continue;
    for (const [field, to] of [
      ["next", from.next],
      ["on_failure", from.onFailure],
    ] as const) {
      if (!to) continue;
      const label = stepLabel(check, from.name);
      if (to === from.name) {
        report(ctx, [...from.path, field], `${label}: ${field} points to the step itself; a step cannot follow itself`);
      } else if (!index.has(to)) {
        ok = false;
        names ??= [...index.keys()];
        report(ctx, [...from.path, field], `${label}: ${field} names "${to}", which is not a step of ${check.where}${suggestion(to, names, "steps")}`);
      }
    }
  }
  return ok;
}

function checkStartAt(ctx: BuildContext, check: GraphCheck, index: Map<string, number>): boolean {
  const { startAt } = check;
  if (startAt === undefined || startAt === "") return false;
  const at = index.get(startAt);
  const target = at === undefined ? undefined : check.steps[at];
  const path = [...check.path, "start_at"];
  if (!target) {
    report(ctx, path, `start_at "${startAt}" is not a step of ${check.where}${suggestion(startAt, [...index.keys()], "steps")}`);
    return false;
  }
  if (isTerminalKind(target.kind)) {
    report(ctx, path, `start_at "${startAt}" is a ${target.kind} step; start_at must name a step that does some work`);
    return false;
  }
  return true;
}

/** The targets of step `i` (`next` first), leaving out edges to itself. */
function targetsOf(graph: Indexed, i: number): number[] {
  const out: number[] = [];
  const next = graph.next[i]!;
  const onFailure = graph.onFailure[i]!;
  if (next >= 0 && next !== i) out.push(next);
  if (onFailure >= 0 && onFailure !== i) out.push(onFailure);
  return out;
}

/** Reports every cycle (strongly connected set of 2+ steps); returns the indexes of the steps in them and of those following themselves. */
function checkCycles(ctx: BuildContext, check: GraphCheck, graph: Indexed): Set<number> {
  const looping = new Set<number>();
  const { steps } = check;
  for (const component of stronglyConnected(graph)) {
    if (component.length < 2) continue;
    for (const i of component) looping.add(i);
    const members = new Set(component.map((i) => steps[i]!.name));
    const edges = edgesOf(component.map((i) => steps[i]!)).filter((e) => members.has(e.to) && e.to !== e.from.name);
    const cycle = cycleThrough(steps[component[0]!]!.name, edges);
    const closing = cycle[cycle.length - 1] as Edge;
    const names = [...cycle.map((e) => e.from.name), closing.to].join(" -> ");
    const path = closing.from.path ? [...closing.from.path, closing.field] : check.path;
    report(ctx, path, `${check.where} has a cycle: ${names}; steps cannot loop back (follow next/on_failure to a success or fail step)`);
  }
  for (let i = 0; i < steps.length; i++) if (graph.next[i] === i || graph.onFailure[i] === i) looping.add(i);
  return looping;
}

/** Tarjan's algorithm, iterative (any chain length); components in discovery order, members in definition order. */
function stronglyConnected(graph: Indexed): number[][] {
  const count = graph.next.length;
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const components: number[][] = [];
  let visited = 0;
  // Each frame: a step and how many of its targets were followed.
  const frameStep: number[] = [];
  const frameNext: number[] = [];
  const open = (i: number): void => {
    index[i] = low[i] = visited++;
    stack.push(i);
    onStack[i] = 1;
    frameStep.push(i);
    frameNext.push(0);
  };
  for (let root = 0; root < count; root++) {
    if (index[root]! >= 0) continue;
    open(root);
    while (frameStep.length > 0) {
      const top = frameStep.length - 1;
      const i = frameStep[top]!;
      const targets = targetsOf(graph, i);
      if (frameNext[top]! < targets.length) {
        const to = targets[frameNext[top]!++]!;
        if (index[to]! < 0) open(to);
        else if (onStack[to]) low[i] = Math.min(low[i]!, index[to]!);
        continue;
      }
      frameStep.pop();
      frameNext.pop();
      const parent = frameStep[frameStep.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent]!, low[i]!);
      if (low[i] !== index[i]) continue;
      const component: number[] = [];
      for (let member = stack.pop(); member !== undefined; member = member === i ? undefined : stack.pop()) {
        onStack[member] = 0;
        component.push(member);
      }
      components.push(component.sort((a, b) => a - b));
    }
  }
  return components;
}

/** Edges by the step they leave. */
function adjacency(edges: readonly Edge[]): Map<string, Edge[]> {
  const out = new Map<string, Edge[]>();
  for (const edge of edges) {
    const list = out.get(edge.from.name);
    if (list) list.push(edge);
    else out.set(edge.from.name, [edge]);
  }
  return out;
}

/** The edges of a shortest loop from `start` back to itself (breadth-first). */
function cycleThrough(start: string, edges: Edge[]): Edge[] {
  const out = adjacency(edges);
  const cameBy = new Map<string, Edge>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head] as string;
    for (const edge of out.get(name) ?? []) {
      if (edge.to === start) return [...pathTo(name, start, cameBy), edge];
      if (cameBy.has(edge.to)) continue;
      cameBy.set(edge.to, edge);
      queue.push(edge.to);
    }
  }
  return [];
}

function pathTo(name: string, start: string, cameBy: Map<string, Edge>): Edge[] {
  const path: Edge[] = [];
  for (let at = name; at !== start; ) {
    const edge = cameBy.get(at) as Edge;
    path.unshift(edge);
    at = edge.from.name;
  }
  return path;
}

function checkReachable(ctx: BuildContext, check: GraphCheck, graph: Indexed): void {
  const reached = new Uint8Array(check.steps.length);
  const start = graph.index.get(check.startAt as string)!;
  reached[start] = 1;
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    for (const to of [graph.next[i]!, graph.onFailure[i]!]) {
      if (to < 0 || reached[to]) continue;
      reached[to] = 1;
      queue.push(to);
    }
  }
  check.steps.forEach((step, i) => {
    if (!step.path || isTerminalKind(step.kind) || reached[i]) return;
    const message = `${stepLabel(check, step.name)} is never reached from start_at "${check.startAt}"; point a next or on_failure at it, or remove it`;
    report(ctx, step.path, message, "key");
  });
}

function checkEnds(ctx: BuildContext, check: GraphCheck, graph: Indexed, looping: Set<number>): void {
  // Backwards from the terminal steps, along edges reversed: every step reached can end.
  const count = check.steps.length;
  const into: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < count; i++) {
    if (graph.next[i]! >= 0) into[graph.next[i]!]!.push(i);
    if (graph.onFailure[i]! >= 0 && graph.onFailure[i] !== graph.next[i]) into[graph.onFailure[i]!]!.push(i);
  }
  const canEnd = new Uint8Array(count);
  const queue: number[] = [];
  check.steps.forEach((step, i) => {
    if (!isTerminalKind(step.kind)) return;
    canEnd[i] = 1;
    queue.push(i);
  });
  for (let head = 0; head < queue.length; head++) {
    for (const from of into[queue[head]!]!) {
      if (canEnd[from]) continue;
      canEnd[from] = 1;
      queue.push(from);
    }
  }
  check.steps.forEach((step, i) => {
    if (!step.path || canEnd[i] || looping.has(i)) return;
    const message = `no path from ${stepLabel(check, step.name)} reaches a success or fail step (every path from it loops forever)`;
    report(ctx, step.path, message, "key");
  });
}
