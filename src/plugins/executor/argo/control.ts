import type { ConditionalNode, Graph, LoopNode } from "../../../core/graph.js";
import { type BranchTask, fanTemplate, renderComposite, task, templateName } from "./composite.js";
import { CASE_OUTPUT, inputsOf, NEXT_OUTPUT, passThrough, type IterVar } from "./containers.js";
import type { RenderState } from "./dags.js";
import { shortHash } from "./names.js";
import type { ArgoDagTemplate } from "./workflow-types.js";

// runnable 0.50's control steps in Argo. A conditional: the fan-out pod publishes the index of the
// branch it chose (Python's str() of the parameter matched against the keys, or `default`) and every
// branch task runs only `when` its index is that one (the others are Skipped). A loop: a recursive
// template, one level per iteration, bounded by max_iterations: `<loop>-iteration` runs the branch,
// then a check pod (`fan --mode next`) publishes the next iteration's index or -1, and the template
// calls itself with that index `when` it is >= 0. The loop's fan-in then decides from the stored
// iterations, as a local run does.

type RenderGraph = (state: RenderState, graph: Graph, dagName: string, iterVars: readonly IterVar[]) => void;

/** A conditional: fan-out, one branch task per key (and `default`) guarded by `when`, fan-in. */
export function renderConditional(state: RenderState, node: ConditionalNode, iterVars: readonly IterVar[], renderGraph: RenderGraph): void {
  const fanOut = `${templateName(state, node)}-fan-out`;
  const graphs: [string, Graph][] = [...Object.entries(node.branches), ...(node.default ? [["default", node.default] as [string, Graph]] : [])];
  const branches: BranchTask[] = graphs.map(([key, graph], index) => ({
    name: state.name(`${node.name}-${key}`, graph.internalBranchName),
    when: `{{tasks.${fanOut}.outputs.parameters.${CASE_OUTPUT}}} == ${index}`,
    render: (name) => renderGraph(state, graph, name, iterVars),
  }));
  renderComposite(state, node, iterVars, branches);
}

/** A loop: fan-out (iteration 0's branch log), the recursive iteration template from index 0, fan-in. */
export function renderLoop(state: RenderState, node: LoopNode, iterVars: readonly IterVar[], renderGraph: RenderGraph): void {
  const param = `loop-${shortHash(node.internalName)}`;
  const inner: IterVar[] = [...iterVars, { name: node.name, param, loop: true }];
  const branch: BranchTask = {
    name: state.name(`${node.name}-iteration`, `${node.internalName}#iteration`),
    extraArgs: [{ name: param, value: "0" }],
    render: (name) => renderIteration(state, node, name, { outer: iterVars, inner, param }, renderGraph),
  };
  renderComposite(state, node, iterVars, [branch]);
}

/** `<loop>-iteration`: the branch, the check, and the template again for the next index (when there is one). */
function renderIteration(
  state: RenderState,
  node: LoopNode,
  name: string,
  vars: { outer: readonly IterVar[]; inner: readonly IterVar[]; param: string },
  renderGraph: RenderGraph,
): void {
  const body = state.name(`${node.name}-body`, `${node.internalName}#body`);
  const check = state.name(`${node.name}-check`, `${node.internalName}#check`);
  const next = state.name(`${node.name}-next`, `${node.internalName}#next`);
  const template: ArgoDagTemplate = { name, ...inputsOf(vars.inner), dag: { tasks: [] } };
  state.dagTemplates.push(template);
  template.dag.tasks.push(task(body, body, "", passThrough(vars.inner)));
  renderGraph(state, node.branch, body, vars.inner);
  template.dag.tasks.push(task(check, check, `${body}.Succeeded`, passThrough(vars.outer)));
  fanTemplate(state, node, check, "next", vars.outer, NEXT_OUTPUT);
  const following = `{{tasks.${check}.outputs.parameters.${NEXT_OUTPUT}}}`;
  template.dag.tasks.push({
    ...task(next, name, `${check}.Succeeded`, [...passThrough(vars.outer), { name: vars.param, value: following }]),
    when: `${following} >= 0`,
  });
}
