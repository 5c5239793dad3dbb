import { RunnableError } from "../../../core/errors.js";
import { assertNever, isTerminal, type Graph, type MapNode, type Node, type ParallelNode } from "../../../core/graph.js";
import { type BranchTask, renderComposite, task, templateName } from "./composite.js";
import { containerTemplate, inputsOf, ITERATE_ON_OUTPUT, passThrough, podCommand, type CommandInputs, type IterVar } from "./containers.js";
import { renderConditional, renderLoop } from "./control.js";
import { isParameterName, shortHash } from "./names.js";
import type { ArgoConfig } from "./schema.js";
import { settingsFor, type StepSettings } from "./settings.js";
import type { ArgoContainerTemplate, ArgoDagTemplate, ArgoEnvVar } from "./workflow-types.js";

/** Everything one render accumulates and shares. */
export interface RenderState {
  config: ArgoConfig;
  global: StepSettings;
  inputs: CommandInputs;
  name: (readable: string, key: string) => string;
  dagTemplates: ArgoDagTemplate[];
  containerTemplates: ArgoContainerTemplate[];
  /** Env of every container (secrets, variables). */
  env: ArgoEnvVar[];
  /** Extra env of the first pod of the run (exposed parameters). */
  startEnv: ArgoEnvVar[];
  /** Internal name of the top-level `start_at` node. */
  startNode: string;
  volumeMounts: { name: string; mountPath: string }[];
}

/** Nodes a graph can reach from `start_at` through `next` and `on_failure` (discovery order). */
export function reachableNodes(graph: Graph): Node[] {
  const seen = new Map<string, Node>();
  const queue = [graph.startAt];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const node = graph.nodes.get(name);
    if (!node || seen.has(name)) continue;
    seen.set(name, node);
    if (!isTerminal(node)) queue.push(node.next, ...(node.onFailure ? [node.onFailure] : []));
  }
  return [...seen.values()];
}

/** Each node's dependencies as Argo `depends` terms: `<prev>.Succeeded` for `next`, `<prev>.Failed` for `on_failure`. */
function dependsOf(nodes: readonly Node[], taskName: (node: Node) => string): Map<string, string[]> {
  const terms = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  for (const node of nodes) {
    if (isTerminal(node)) continue;
    terms.get(node.next)?.push(`${taskName(node)}.Succeeded`);
    if (node.onFailure) terms.get(node.onFailure)?.push(`${taskName(node)}.Failed`);
  }
  return terms;
}

function assertAcyclic(graph: Graph, nodes: readonly Node[]): void {
  const indegree = new Map(nodes.map((n) => [n.name, 0]));
  const edges = (n: Node) => (isTerminal(n) ? [] : [n.next, ...(n.onFailure ? [n.onFailure] : [])]);
  for (const n of nodes) for (const to of edges(n)) indegree.set(to, (indegree.get(to) ?? 0) + 1);
  const ready = nodes.filter((n) => indegree.get(n.name) === 0);
  let visited = 0;
  while (ready.length > 0) {
    const n = ready.pop()!;
    visited++;
    for (const to of edges(n)) {
      indegree.set(to, indegree.get(to)! - 1);
      if (indegree.get(to) === 0) ready.push(graph.nodes.get(to)!);
    }
  }
  if (visited < nodes.length) {
    const looping = nodes.filter((n) => indegree.get(n.name)! > 0).map((n) => `"${n.internalName}"`);
    throw new RunnableError("PIPELINE_INVALID", `Argo workflows are acyclic, but next/on_failure form a loop through ${looping.join(", ")}`, {
      hint: "break the loop: on_failure must lead to steps that do not lead back",
    });
  }
}

/** Renders a graph as a DAG template named `dagName`, and every node in it (recursively). */
export function renderGraph(state: RenderState, graph: Graph, dagName: string, iterVars: readonly IterVar[]): void {
  const template: ArgoDagTemplate = { name: dagName, ...inputsOf(iterVars), dag: { tasks: [] } };
  state.dagTemplates.push(template);
  const nodes = reachableNodes(graph);
  assertAcyclic(graph, nodes);
  const depends = dependsOf(nodes, (node) => templateName(state, node));
  for (const node of nodes) {
    const name = templateName(state, node);
    template.dag.tasks.push(task(name, name, depends.get(node.name)!.join(" || "), passThrough(iterVars)));
    renderNode(state, node, iterVars);
  }
}

function renderNode(state: RenderState, node: Node, iterVars: readonly IterVar[]): void {
  switch (node.kind) {
    case "task":
    case "stub":
    case "success":
    case "fail": {
      const settings = settingsFor(node, state.config);
      const retryLimit =
        node.kind === "task" || node.kind === "stub" ? (node.maxAttempts > 1 ? node.maxAttempts - 1 : settings.retry.limit) : settings.retry.limit;
      const env = node.internalName === state.startNode ? [...state.env, ...state.startEnv] : state.env;
      const command = podCommand(state.inputs, node.internalName, iterVars);
      state.containerTemplates.push(
        containerTemplate(templateName(state, node), command, settings, state.global, { iterVars, env, volumeMounts: state.volumeMounts, retryLimit }),
      );
      return;
    }
    case "parallel":
      renderParallel(state, node, iterVars);
      return;
    case "map":
      renderMap(state, node, iterVars);
      return;
    case "dag":
      renderComposite(state, node, iterVars, [{ suffix: "-branch", render: (name) => renderGraph(state, node.branch, name, iterVars) }]);
      return;
    case "conditional":
      renderConditional(state, node, iterVars, renderGraph);
      return;
    case "loop":
      renderLoop(state, node, iterVars, renderGraph);
      return;
    default:
      assertNever(node);
  }
}

function renderParallel(state: RenderState, node: ParallelNode, iterVars: readonly IterVar[]): void {
  const settings = settingsFor(node, state.config);
  const branches: BranchTask[] = Object.entries(node.branches).map(([key, graph]) => ({
    name: state.name(`${node.name}-${key}`, graph.internalBranchName),
    render: (name) => renderGraph(state, graph, name, iterVars),
  }));
  renderComposite(state, node, iterVars, branches, settings.parallelism ? { parallelism: settings.parallelism } : {});
}

function renderMap(state: RenderState, node: MapNode, iterVars: readonly IterVar[]): void {
  if (iterVars.some((v) => v.name === node.iterateAs)) {
    throw new RunnableError("UNSUPPORTED", `map "${node.internalName}" uses iterate_as "${node.iterateAs}" like a map it is nested in`, {
      hint: "give the inner map another iterate_as name",
    });
  }
  const settings = settingsFor(node, state.config);
  const param = isParameterName(node.iterateAs) ? node.iterateAs : `item-${shortHash(node.iterateAs)}`;
  const inner = [...iterVars, { name: node.iterateAs, param }];
  const fanOut = `${templateName(state, node)}-fan-out`;
  const branch: BranchTask = {
    suffix: "-map",
    withParam: `{{tasks.${fanOut}.outputs.parameters.${ITERATE_ON_OUTPUT}}}`,
    extraArgs: [{ name: param, value: "{{item}}" }],
    render: (name) => renderGraph(state, node.branch, name, inner),
  };
  const extra: Partial<ArgoDagTemplate> = {
    ...(settings.parallelism ? { parallelism: settings.parallelism } : {}),
    ...(settings.failFast ? { failFast: true } : {}),
  };
  renderComposite(state, node, iterVars, [branch], extra);
}
