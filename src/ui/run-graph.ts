import type { BranchLog, LogLocation, RunLog, Status, StepLog } from "../core/run-log.js";
import { parseDuration } from "../core/time.js";
import { branchLabel } from "./walk.js";

/** Counts by status. */
export type StatusCounts = Partial<Record<Status, number>>;

/** A pipeline step with what the run log says of it (one step log, or many under a map). */
export interface GraphNode {
  name: string;
  type: string;
  next: string | null;
  on_failure: string | null;
  /** Step logs behind the node: 0 (not reached), 1, or one per map item above it. */
  instances: number;
  counts: StatusCounts;
  /** With exactly one step log: its status, key and location (to open its details). */
  status: Status | null;
  key: string | null;
  location: LogLocation | null;
  /** Sum of attempt durations (one step log) or their median (many). */
  duration_ms: number | null;
  attempts: number;
  /** Map steps: the items over every instance, counted by branch status. */
  items: { total: number; counts: StatusCounts } | null;
  /** Loop steps: the iterations over every instance, counted by branch status. */
  iterations: { total: number; counts: StatusCounts } | null;
  /** Composite steps: their branches (a map shows its branch once, aggregated over items). */
  branches: GraphBranch[];
}

/** A branch of a composite step. */
export interface GraphBranch {
  name: string;
  start_at: string | null;
  instances: number;
  counts: StatusCounts;
  status: Status | null;
  /** A conditional's branch that was not chosen (its step ran, the branch did not): drawn greyed out. */
  not_taken: boolean;
  nodes: GraphNode[];
}

interface DefGraph {
  start_at?: string;
  steps?: Record<string, DefNode>;
}
interface DefNode {
  type?: string;
  next?: string;
  on_failure?: string;
  branches?: Record<string, DefGraph>;
  branch?: DefGraph;
  /** A conditional's branch run when no key matches. */
  default?: DefGraph;
}

/** Composite kinds whose one branch definition stands for many branch logs (items, iterations, the dag). */
const ONE_BRANCH: Readonly<Record<string, string>> = { map: "each item", loop: "each iteration", dag: "dag" };

/** A step log with the location of the branch it sits in. */
interface Instance {
  step: StepLog;
  location: LogLocation;
}
interface BranchInstance {
  branch: BranchLog;
  location: LogLocation;
}

const count = (statuses: Status[]): StatusCounts => {
  const counts: StatusCounts = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
};

const stepMs = (step: StepLog): number => step.attempts.reduce((sum, a) => sum + parseDuration(a.duration) / 1000, 0);

function median(values: number[]): number | null {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return finite.length ? finite[Math.floor(finite.length / 2)]! : null;
}

/** The branches of `instances` that belong to the pipeline branch `name` of a composite `def`. */
function branchInstances(def: DefNode, name: string, instances: Instance[]): BranchInstance[] {
  const result: BranchInstance[] = [];
  for (const { step, location } of instances) {
    for (const [key, branch] of Object.entries(step.branches)) {
      const belongs = (def.type !== undefined && def.type in ONE_BRANCH) || branchLabel(step.internal_name, key) === name || key === name;
      if (belongs) result.push({ branch, location: [...location, [step.internal_name, key]] });
    }
  }
  return result;
}

function buildBranch(name: string, def: DefGraph, instances: BranchInstance[], notTaken = false): GraphBranch {
  const statuses = instances.map((i) => i.branch.status);
  return {
    name,
    start_at: def.start_at ?? null,
    instances: instances.length,
    counts: count(statuses),
    status: instances.length === 1 ? statuses[0]! : null,
    not_taken: notTaken,
    nodes: buildNodes(
      def,
      instances.map((i) => ({ steps: i.branch.steps, location: i.location })),
    ),
  };
}

function buildNode(name: string, def: DefNode, instances: Instance[]): GraphNode {
  const single = instances.length === 1 ? instances[0]! : undefined;
  const composite = branchDefs(def);
  const branchStatuses = () => instances.flatMap((i) => Object.values(i.step.branches).map((b) => b.status));
  const mapItems = def.type === "map" ? branchStatuses() : null;
  const iterations = def.type === "loop" ? branchStatuses() : null;
  const chooses = def.type === "conditional" && instances.length > 0;
  return {
    name,
    type: def.type ?? "task",
    next: def.next ?? null,
    on_failure: def.on_failure || null,
    instances: instances.length,
    counts: count(instances.map((i) => i.step.status)),
    status: single?.step.status ?? null,
    key: single?.step.internal_name ?? null,
    location: single?.location ?? null,
    duration_ms: single ? stepMs(single.step) : median(instances.map((i) => stepMs(i.step))),
    attempts: single?.step.attempts.length ?? 0,
    items: mapItems ? { total: mapItems.length, counts: count(mapItems) } : null,
    iterations: iterations ? { total: iterations.length, counts: count(iterations) } : null,
    branches: composite.map(([branchName, graph]) => {
      const found = branchInstances(def, branchName, instances);
      return buildBranch(branchName, graph, found, chooses && found.length === 0);
    }),
  };
}

/** The branch definitions a composite step shows: a parallel's or conditional's by key, else its one branch. */
function branchDefs(def: DefNode): Array<[string, DefGraph]> {
  if (def.type === "parallel") return Object.entries(def.branches ?? {});
  if (def.type === "conditional") return [...Object.entries(def.branches ?? {}), ...(def.default ? [["default", def.default] as [string, DefGraph]] : [])];
  return def.branch ? [[ONE_BRANCH[def.type ?? ""] ?? "dag", def.branch]] : [];
}

/** Nodes of a pipeline graph in declaration order, each with the step logs found for it. */
function buildNodes(def: DefGraph, scopes: Array<{ steps: Record<string, StepLog>; location: LogLocation }>): GraphNode[] {
  const byName = new Map<string, Instance[]>();
  for (const { steps, location } of scopes) {
    for (const step of Object.values(steps)) {
      const list = byName.get(step.name);
      if (list) list.push({ step, location });
      else byName.set(step.name, [{ step, location }]);
    }
  }
  const defined = Object.entries(def.steps ?? {});
  const nodes = defined.map(([name, node]) => buildNode(name, node, byName.get(name) ?? []));
  // Steps the definition does not name (a run log without run_config.dag) still show, in run order.
  for (const [name, instances] of byName) {
    if (!def.steps?.[name]) nodes.push(buildNode(name, { type: instances[0]!.step.step_type }, instances));
  }
  return nodes;
}

/** The pipeline graph of a run with statuses, or of one branch (its location) of a composite step. */
export function runGraph(run: RunLog, branchLocation: LogLocation = []): GraphBranch | undefined {
  let def = (run.run_config.dag ?? {}) as DefGraph;
  let scope: BranchInstance | undefined;
  let steps = run.steps;
  for (const [stepKey, branchKey] of branchLocation) {
    const step = steps[stepKey];
    const branch = step?.branches[branchKey];
    if (!step || !branch) return undefined;
    const node = def.steps?.[step.name];
    const label = branchLabel(stepKey, branchKey);
    const keyed = node?.type === "parallel" || node?.type === "conditional";
    def = (keyed ? (node.branches?.[label] ?? (label === "default" ? node.default : undefined)) : node?.branch) ?? {};
    scope = { branch, location: [...(scope?.location ?? []), [stepKey, branchKey]] };
    steps = branch.steps;
  }
  if (!scope) {
    const nodes = buildNodes(def, [{ steps: run.steps, location: [] }]);
    return { name: "pipeline", start_at: def.start_at ?? null, instances: 1, counts: count([run.status]), status: run.status, not_taken: false, nodes };
  }
  const label = branchLabel(...(branchLocation.at(-1) as [string, string]));
  return buildBranch(label, def, [scope]);
}
