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

/** Checks references, start_at, cycles, reachability and that every path ends (§2.7, §16.1). */
export function checkGraph(ctx: BuildContext, check: GraphCheck): void {
  const byName = new Map(check.steps.map((step) => [step.name, step]));
  const edges = edgesOf(check.steps);
  const refsOk = checkReferences(ctx, check, edges, byName);
  const startOk = checkStartAt(ctx, check, byName);
  const looping = checkCycles(
    ctx,
    check,
    edges.filter((e) => byName.has(e.to) && e.to !== e.from.name),
  );
  for (const edge of edges) if (edge.to === edge.from.name) looping.add(edge.to);
  const complete = check.steps.every((step) => step.kind !== undefined && (isTerminalKind(step.kind) || step.next));
  if (!refsOk || !startOk || !complete) return;
  checkReachable(ctx, check, edges);
  checkEnds(ctx, check, edges, looping);
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

function checkReferences(ctx: BuildContext, check: GraphCheck, edges: Edge[], byName: Map<string, StepInfo>): boolean {
  let ok = true;
  const names = [...byName.keys()];
  for (const { from, field, to } of edges) {
    if (!from.path) continue;
    const label = stepLabel(check, from.name);
    if (to === from.name) {
      report(ctx, [...from.path, field], `${label}: ${field} points to the step itself; a step cannot follow itself`);
    } else if (!byName.has(to)) {
      ok = false;
      report(ctx, [...from.path, field], `${label}: ${field} names "${to}", which is not a step of ${check.where}${suggestion(to, names, "steps")}`);
    }
  }
  return ok;
}

function checkStartAt(ctx: BuildContext, check: GraphCheck, byName: Map<string, StepInfo>): boolean {
  const { startAt } = check;
  if (startAt === undefined || startAt === "") return false;
  const target = byName.get(startAt);
  const at = [...check.path, "start_at"];
  if (!target) {
    report(ctx, at, `start_at "${startAt}" is not a step of ${check.where}${suggestion(startAt, [...byName.keys()], "steps")}`);
    return false;
  }
  if (isTerminalKind(target.kind)) {
    report(ctx, at, `start_at "${startAt}" is a ${target.kind} step; start_at must name a step that does some work`);
    return false;
  }
  return true;
}

/** Reports every cycle (strongly connected set of 2+ steps); returns the names of the steps in them. */
function checkCycles(ctx: BuildContext, check: GraphCheck, edges: Edge[]): Set<string> {
  const looping = new Set<string>();
  for (const component of stronglyConnected(check.steps, edges)) {
    if (component.length < 2) continue;
    for (const name of component) looping.add(name);
    const members = new Set(component);
    const cycle = cycleThrough(
      component[0] as string,
      edges.filter((e) => members.has(e.from.name) && members.has(e.to)),
    );
    const closing = cycle[cycle.length - 1] as Edge;
    const names = [...cycle.map((e) => e.from.name), closing.to].join(" -> ");
    const path = closing.from.path ? [...closing.from.path, closing.field] : check.path;
    report(ctx, path, `${check.where} has a cycle: ${names}; steps cannot loop back (follow next/on_failure to a success or fail step)`);
  }
  return looping;
}

/** Tarjan's algorithm, iterative (any chain length); components in discovery order, members in definition order. */
function stronglyConnected(steps: readonly StepInfo[], edges: Edge[]): string[][] {
  const order = new Map(steps.map((s, i) => [s.name, i]));
  const out = adjacency(edges);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const open = (name: string, frames: Array<{ name: string; next: number }>): void => {
    index.set(name, index.size);
    low.set(name, index.get(name) as number);
    stack.push(name);
    onStack.add(name);
    frames.push({ name, next: 0 });
  };
  for (const step of steps) {
    if (index.has(step.name)) continue;
    const frames: Array<{ name: string; next: number }> = [];
    open(step.name, frames);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const targets = out.get(frame.name) ?? [];
      if (frame.next < targets.length) {
        const to = targets[frame.next++]!.to;
        if (!index.has(to)) open(to, frames);
        else if (onStack.has(to)) low.set(frame.name, Math.min(low.get(frame.name)!, index.get(to)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.name, Math.min(low.get(parent.name)!, low.get(frame.name)!));
      if (low.get(frame.name) !== index.get(frame.name)) continue;
      const component: string[] = [];
      for (let top = stack.pop(); top !== undefined; top = top === frame.name ? undefined : stack.pop()) {
        onStack.delete(top);
        component.push(top);
      }
      components.push(component.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)));
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

function checkReachable(ctx: BuildContext, check: GraphCheck, edges: Edge[]): void {
  const out = adjacency(edges);
  const reached = new Set<string>([check.startAt as string]);
  const queue = [check.startAt as string];
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head] as string;
    for (const edge of out.get(name) ?? []) {
      if (reached.has(edge.to)) continue;
      reached.add(edge.to);
      queue.push(edge.to);
    }
  }
  for (const step of check.steps) {
    if (!step.path || isTerminalKind(step.kind) || reached.has(step.name)) continue;
    const message = `${stepLabel(check, step.name)} is never reached from start_at "${check.startAt}"; point a next or on_failure at it, or remove it`;
    report(ctx, step.path, message, "key");
  }
}

function checkEnds(ctx: BuildContext, check: GraphCheck, edges: Edge[], looping: Set<string>): void {
  // Backwards from the terminal steps, along edges reversed: every step reached can end.
  const into = new Map<string, Edge[]>();
  for (const edge of edges) {
    const list = into.get(edge.to);
    if (list) list.push(edge);
    else into.set(edge.to, [edge]);
  }
  const canEnd = new Set(check.steps.filter((s) => isTerminalKind(s.kind)).map((s) => s.name));
  const queue = [...canEnd];
  for (let head = 0; head < queue.length; head++) {
    for (const edge of into.get(queue[head]!) ?? []) {
      if (canEnd.has(edge.from.name)) continue;
      canEnd.add(edge.from.name);
      queue.push(edge.from.name);
    }
  }
  for (const step of check.steps) {
    if (!step.path || canEnd.has(step.name) || looping.has(step.name)) continue;
    const message = `no path from ${stepLabel(check, step.name)} reaches a success or fail step (every path from it loops forever)`;
    report(ctx, step.path, message, "key");
  }
}
