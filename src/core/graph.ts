import type { TaskReturn } from "./returns.js";

/** Where a definition came from, for error messages. */
export interface SourceLocation {
  file?: string;
  line?: number;
  col?: number;
}

/** Catalog settings of a task or stub: glob patterns to get before and put after the step. */
export interface CatalogSpec {
  get: string[];
  put: string[];
  /** False: `put` records each file's hash without copying it (runnable 0.50's `store_copy: false`); absent means true. */
  storeCopy?: false;
}

/** What a task runs: `command_type` picks the task runner; other keys belong to that runner. */
export interface TaskSpec {
  command_type: string;
  command: string;
  [key: string]: unknown;
}

interface NodeBase {
  /** Short name (a key of the graph's steps). */
  name: string;
  /** Dot path with `map_variable_placeholder` for map items (§2.8). */
  internalName: string;
  /** Internal name of the branch holding this node (`""` at top level). */
  internalBranchName: string;
  source?: SourceLocation;
}

interface Traversal {
  next: string;
  onFailure: string;
  overrides: Record<string, string>;
}

/** A step that runs a command. */
export interface TaskNode extends NodeBase, Traversal {
  kind: "task";
  task: TaskSpec;
  catalog: CatalogSpec | null;
  maxAttempts: number;
  /** Names of secrets exposed to this task's subprocess as environment variables. */
  secrets: string[];
  /**
   * What the task hands back by name (runnable 0.50's `returns`). Present, even empty, for a runnable 0.50
   * task (its SDK's PythonTask/ShellTask/NotebookTask always write it): a Python function's return value
   * beyond the declared names is then ignored, as 0.50 ignores it. Absent: a February-2024 task, whose
   * function returns its parameters.
   */
  returns?: TaskReturn[];
}

/** A no-op step; keeps arbitrary extra keys. */
export interface StubNode extends NodeBase, Traversal {
  kind: "stub";
  catalog: CatalogSpec | null;
  maxAttempts: number;
  extra: Record<string, unknown>;
}

/** Terminal node marking its graph successful. */
export interface SuccessNode extends NodeBase {
  kind: "success";
}

/** Terminal node marking its graph failed. */
export interface FailNode extends NodeBase {
  kind: "fail";
}

/** Named branches, each a full graph, run side by side. */
export interface ParallelNode extends NodeBase, Traversal {
  kind: "parallel";
  branches: Record<string, Graph>;
}

/** One branch run once per item of a list parameter. */
export interface MapNode extends NodeBase, Traversal {
  kind: "map";
  iterateOn: string;
  iterateAs: string;
  branch: Graph;
  reducer: string | null;
}

/** A nested pipeline read from another YAML file. */
export interface DagNode extends NodeBase, Traversal {
  kind: "dag";
  dagDefinition: string;
  branch: Graph;
}

/**
 * Runs the one branch keyed by a parameter's value (runnable 0.50's `conditional`): the key is Python's
 * `str()` of the value (`True`, `1`, `1.5`, `heads`), else the `default` branch when there is one.
 */
export interface ConditionalNode extends NodeBase, Traversal {
  kind: "conditional";
  /** The parameter whose value picks the branch (alphanumeric, as 0.50 requires). */
  parameter: string;
  branches: Record<string, Graph>;
  /** Run when no key matches (0.50 parses `default:` but fails instead; kept as a deliberate extension). */
  default: Graph | null;
}

/**
 * Runs one branch again and again (runnable 0.50's `loop`), each iteration on the parameters the last
 * one left, until the boolean parameter `breakOn` is true or `maxIterations` iterations have run.
 */
export interface LoopNode extends NodeBase, Traversal {
  kind: "loop";
  branch: Graph;
  maxIterations: number;
  breakOn: string;
  /** Environment variable holding the iteration index (0-based) in the branch's tasks. */
  indexAs: string;
}

/** Every node kind (a closed set: switch over `kind` exhaustively). */
export type Node = TaskNode | StubNode | SuccessNode | FailNode | ParallelNode | MapNode | DagNode | ConditionalNode | LoopNode;

/** Node kinds that own branches. */
export type CompositeNode = ParallelNode | MapNode | DagNode | ConditionalNode | LoopNode;

/** Node kinds with `next`/`on_failure`. */
export type TraversableNode = Exclude<Node, SuccessNode | FailNode>;

/** All node kind names, in runnable's order. */
export const NODE_KINDS = ["task", "stub", "success", "fail", "parallel", "map", "dag", "conditional", "loop"] as const;

/** A validated graph (the top-level pipeline or a branch). */
export interface Graph {
  name: string;
  description: string | null;
  startAt: string;
  internalBranchName: string;
  /** Steps in definition order. */
  nodes: Map<string, Node>;
}

/** True for success/fail nodes. */
export function isTerminal(node: Node): node is SuccessNode | FailNode {
  return node.kind === "success" || node.kind === "fail";
}

/** True for the node kinds that own branches (parallel, map, dag, conditional, loop). */
export function isComposite(node: Node): node is CompositeNode {
  const kind: Node["kind"] = node.kind;
  return kind === "parallel" || kind === "map" || kind === "dag" || kind === "conditional" || kind === "loop";
}

/** The graph's fail node (found by kind, as runnable does). */
export function failNodeOf(graph: Graph): FailNode {
  for (const node of graph.nodes.values()) if (node.kind === "fail") return node;
  throw new Error(`graph ${graph.internalBranchName || "<top>"} has no fail node`);
}

/** Fails to compile when a switch over node kinds misses one. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

/** Key under which the SDK attaches an in-memory function to a task spec (never serialised). */
export const TASK_FUNCTION = Symbol.for("runnable-ts.task-function");

/**
 * Key under which the runtime notes the module a pipeline built in code came from (its absolute path) on
 * the tasks with an in-memory function: another thread can import it to find the function again.
 */
export const TASK_PIPELINE_MODULE = Symbol.for("runnable-ts.task-pipeline-module");

/** Key under which the SDK attaches a reducer function to a map node (never serialised). */
export const MAP_REDUCER = Symbol.for("runnable-ts.map-reducer");

/** Where a TypeScript task built in code keeps the schema of the parameters it reads (not serialised). */
export const TASK_PARAMETERS = Symbol.for("runnable-ts.task-parameters");

/** A schema of the parameters a task reads: a zod object schema, or anything with the same `safeParse`. */
export interface ParameterSchema {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };
}

/** The branch graphs a node owns, in declaration order ([] for task, stub and terminal nodes). */
export function branchesOf(node: Node): Graph[] {
  switch (node.kind) {
    case "parallel":
      return Object.values(node.branches);
    case "conditional":
      return node.default ? [...Object.values(node.branches), node.default] : Object.values(node.branches);
    case "map":
    case "dag":
    case "loop":
      return [node.branch];
    case "task":
    case "stub":
    case "success":
    case "fail":
      return [];
    default:
      return assertNever(node);
  }
}

/** Every node of a graph and of its branches, depth first in declaration order (iterative: any depth). */
export function* allNodes(graph: Graph): Generator<Node> {
  const stack: Iterator<Node>[] = [graph.nodes.values()];
  while (stack.length > 0) {
    const next = stack[stack.length - 1]!.next();
    if (next.done) {
      stack.pop();
      continue;
    }
    yield next.value;
    const branches = branchesOf(next.value);
    for (let i = branches.length - 1; i >= 0; i--) stack.push(branches[i]!.nodes.values());
  }
}
