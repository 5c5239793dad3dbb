import { dependencyNames, parseDepends } from "./argo-emulator/depends.js";
import type { WfTemplate, WfWorkflow } from "./argo-emulator/types.js";

const K8S_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const TAG = /\{\{\s*([^{}]+?)\s*\}\}/g;

function tagsIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === "string") for (const match of value.matchAll(TAG)) into.push(match[1]!);
  else if (Array.isArray(value)) for (const v of value) tagsIn(v, into);
  else if (value && typeof value === "object") for (const v of Object.values(value)) tagsIn(v, into);
  return into;
}

function acyclic(tasks: Map<string, Set<string>>): boolean {
  const state = new Map<string, 1 | 2>();
  const visit = (name: string): boolean => {
    if (state.get(name) === 2) return true;
    if (state.get(name) === 1) return false;
    state.set(name, 1);
    for (const dep of tasks.get(name) ?? []) if (!visit(dep)) return false;
    state.set(name, 2);
    return true;
  };
  return [...tasks.keys()].every(visit);
}

function dagProblems(template: WfTemplate, templates: Map<string, WfTemplate>, globals: Set<string>): string[] {
  const problems: string[] = [];
  const where = `template ${template.name}`;
  const tasks = template.dag!.tasks;
  const deps = new Map<string, Set<string>>();
  for (const task of tasks) {
    if (deps.has(task.name)) problems.push(`${where}: task ${task.name} twice`);
    deps.set(task.name, task.depends ? dependencyNames(parseDepends(task.depends)) : new Set());
  }
  for (const task of tasks) {
    const target = templates.get(task.template);
    if (!target) {
      problems.push(`${where}: task ${task.name} uses missing template ${task.template}`);
      continue;
    }
    for (const dep of deps.get(task.name)!) if (!deps.has(dep)) problems.push(`${where}: task ${task.name} depends on unknown task ${dep}`);
    const inputs = (target.inputs?.parameters ?? []).map((p) => p.name).sort();
    const args = (task.arguments?.parameters ?? []).map((p) => p.name).sort();
    if (JSON.stringify(inputs) !== JSON.stringify(args))
      problems.push(`${where}: task ${task.name} passes [${args}] to ${task.template}, which takes [${inputs}]`);
    for (const tag of tagsIn(task)) {
      const ref = /^tasks\.([^.]+)\.outputs\.parameters\.(.+)$/.exec(tag);
      if (tag === "item" && !task.withParam) problems.push(`${where}: task ${task.name} uses {{item}} without withParam`);
      if (ref && !deps.get(task.name)!.has(ref[1]!)) problems.push(`${where}: task ${task.name} reads outputs of ${ref[1]} without depending on it`);
      if (ref && !(templates.get(tasks.find((t) => t.name === ref[1])?.template ?? "")?.outputs?.parameters ?? []).some((p) => p.name === ref[2])) {
        problems.push(`${where}: task ${task.name} reads missing output ${tag}`);
      }
      checkTag(tag, template, globals, `${where} task ${task.name}`, problems);
    }
  }
  if (!acyclic(deps)) problems.push(`${where}: depends form a cycle`);
  return problems;
}

function checkTag(tag: string, template: WfTemplate, globals: Set<string>, where: string, problems: string[]): void {
  const input = /^inputs\.parameters\.(.+)$/.exec(tag);
  if (input && !(template.inputs?.parameters ?? []).some((p) => p.name === input[1])) problems.push(`${where}: {{${tag}}} is not an input`);
  const global = /^workflow\.parameters\.(.+)$/.exec(tag);
  if (global && !globals.has(global[1]!)) problems.push(`${where}: {{${tag}}} is not a workflow argument`);
}

/**
 * Structural problems of a rendered Workflow beyond the JSON schema (what `argo lint` would catch):
 * template names valid Kubernetes names (≤ 63, lower case) and unique, the entrypoint and every task's
 * template exist, depends parse and name tasks of the same DAG, no cycles, arguments match the
 * called template's inputs, and every `{{...}}` refers to something defined.
 */
export function manifestProblems(workflow: WfWorkflow): string[] {
  const problems: string[] = [];
  const templates = new Map<string, WfTemplate>();
  for (const template of workflow.spec.templates) {
    if (templates.has(template.name)) problems.push(`template ${template.name} twice`);
    if (!K8S_NAME.test(template.name) || template.name.length > 63) problems.push(`template name ${template.name} is not a valid Kubernetes name`);
    templates.set(template.name, template);
  }
  if (!templates.has(workflow.spec.entrypoint)) problems.push(`entrypoint ${workflow.spec.entrypoint} is missing`);
  const globals = new Set((workflow.spec.arguments?.parameters ?? []).map((p) => p.name));
  for (const template of templates.values()) {
    if (template.dag) problems.push(...dagProblems(template, templates, globals));
    else for (const tag of tagsIn(template.container)) checkTag(tag, template, globals, `template ${template.name}`, problems);
  }
  return problems;
}
