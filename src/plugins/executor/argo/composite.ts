import type { Node } from "../../../core/graph.js";
import { CASE_OUTPUT, containerTemplate, ITERATE_ON_OUTPUT, inputsOf, passThrough, podCommand, type IterVar } from "./containers.js";
import type { RenderState } from "./dags.js";
import type { ArgoDagTask, ArgoDagTemplate, ArgoParameter } from "./workflow-types.js";

// What every composite step renders the same way: a DAG template of fan-out, branch tasks and fan-in.

/** The template (and task) name of a node. */
export function templateName(state: RenderState, node: Node): string {
  return state.name(`${node.name}-${node.kind}`, node.internalName);
}

/** A DAG task. */
export function task(name: string, template: string, depends: string, args: ArgoParameter[], withParam?: string): ArgoDagTask {
  return {
    name,
    template,
    ...(depends ? { depends } : {}),
    ...(args.length > 0 ? { arguments: { parameters: args } } : {}),
    ...(withParam ? { withParam } : {}),
  };
}

/** A fan-out or fan-in pod template (`runnable fan ... --mode out|in`); `publishes` names the output it writes. */
export function fanTemplate(state: RenderState, node: Node, name: string, mode: "in" | "out" | "next", iterVars: readonly IterVar[], publishes?: string): void {
  const env = mode === "out" && node.internalName === state.startNode ? [...state.env, ...state.startEnv] : state.env;
  const command = podCommand(state.inputs, node.internalName, iterVars, mode);
  state.containerTemplates.push(
    containerTemplate(name, command, state.global, state.global, {
      iterVars,
      env,
      volumeMounts: state.volumeMounts,
      retryLimit: 0,
      ...(publishes ? { publishes } : {}),
    }),
  );
}

/** One branch task of a composite: its name suffix (or full name) and how to render its template. */
export interface BranchTask {
  suffix?: string;
  name?: string;
  render: (name: string) => void;
  withParam?: string;
  /** Argo `when`: the branch runs only when it holds (a conditional's branches), else it is Skipped. */
  when?: string;
  extraArgs?: { name: string; value: string }[];
}

/**
 * A composite's DAG template: `<name>-fan-out`, the branch tasks (after the fan-out succeeded), and
 * `<name>-fan-in` once every branch finished, whatever its result, so the composite's status is always
 * recorded. A map's branch task is Skipped when the list is empty, which also lets the fan-in run.
 */
export function renderComposite(
  state: RenderState,
  node: Node,
  iterVars: readonly IterVar[],
  branches: BranchTask[],
  extra: Partial<ArgoDagTemplate> = {},
): void {
  const base = templateName(state, node);
  const fanOut = `${base}-fan-out`;
  const fanIn = `${base}-fan-in`;
  const template: ArgoDagTemplate = { name: base, ...inputsOf(iterVars), ...extra, dag: { tasks: [] } };
  state.dagTemplates.push(template);
  fanTemplate(state, node, fanOut, "out", iterVars, fanOutput(node));
  const args = passThrough(iterVars);
  template.dag.tasks.push(task(fanOut, fanOut, "", args));
  const finished: string[] = [];
  for (const branch of branches) {
    const name = branch.name ?? `${base}${branch.suffix}`;
    template.dag.tasks.push({
      ...task(name, name, `${fanOut}.Succeeded`, [...args, ...(branch.extraArgs ?? [])], branch.withParam),
      ...(branch.when ? { when: branch.when } : {}),
    });
    const skippable = branch.withParam || branch.when;
    finished.push(`(${name}.Succeeded || ${name}.Failed || ${name}.Errored${skippable ? ` || ${name}.Skipped` : ""})`);
    branch.render(name);
  }
  template.dag.tasks.push(task(fanIn, fanIn, finished.join(" && "), args));
  fanTemplate(state, node, fanIn, "in", iterVars);
}

/** The output a composite's fan-out pod publishes: a map's items, a conditional's branch index. */
function fanOutput(node: Node): string | undefined {
  if (node.kind === "map") return ITERATE_ON_OUTPUT;
  return node.kind === "conditional" ? CASE_OUTPUT : undefined;
}
