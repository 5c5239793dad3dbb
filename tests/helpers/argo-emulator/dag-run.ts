import { dependencyNames, evaluateDepends, parseDepends, type DependencyState, type DependsExpr } from "./depends.js";
import { assessDagPhase, type FinishedTask } from "./dag-phase.js";
import { Semaphore } from "./semaphore.js";
import { itemScope, substituteDeep } from "./substitute.js";
import { evaluateWhen } from "./when.js";
import { failedOrError, type NodeRecord, type Phase, type WfParameter, type WfTask, type WfTemplate } from "./types.js";

/** A DAG invocation that bounds its direct children (parallelism, template failFast). */
export interface Boundary {
  slots: Semaphore | null;
  failFast: boolean;
  unsuccessful: number;
}

/** What a DAG invocation needs from the workflow run. */
export interface DagHost {
  executeTemplate(nodeName: string, templateName: string, args: readonly WfParameter[], boundary: Boundary | null): Promise<Phase>;
  record(node: NodeRecord): NodeRecord;
  /** Output parameters of finished pods, by node name. */
  readonly outputs: ReadonlyMap<string, Record<string, string>>;
}

/** One invocation of a DAG template. */
export class DagRun {
  readonly tasks: WfTask[];
  readonly depends = new Map<string, { expr: DependsExpr | null; names: Set<string> }>();
  readonly finished = new Map<string, FinishedTask & { state: DependencyState; outputs: Record<string, string> }>();
  readonly running = new Map<string, Promise<void>>();
  readonly boundary: Boundary;

  constructor(
    readonly wf: DagHost,
    readonly nodeName: string,
    readonly template: WfTemplate,
  ) {
    this.tasks = template.dag!.tasks;
    for (const task of this.tasks) {
      const text = task.depends ?? (task.dependencies ?? []).join(" && ");
      const expr = text.trim() ? parseDepends(text) : null;
      this.depends.set(task.name, { expr, names: expr ? dependencyNames(expr) : new Set() });
    }
    this.boundary = { slots: template.parallelism ? new Semaphore(template.parallelism) : null, failFast: template.failFast === true, unsuccessful: 0 };
  }

  async run(): Promise<Phase> {
    for (;;) {
      this.startReady();
      if (this.running.size === 0) break;
      await Promise.race(this.running.values());
    }
    if (this.boundary.failFast && this.boundary.unsuccessful > 0) return "Failed";
    const failFast = this.template.dag!.failFast !== false;
    return assessDagPhase(this.finished, failFast);
  }

  startReady(): void {
    for (const task of this.tasks) {
      if (this.finished.has(task.name) || this.running.has(task.name)) continue;
      const { expr, names } = this.depends.get(task.name)!;
      if (![...names].every((n) => this.finished.has(n))) continue;
      const states = new Map([...names].map((n) => [n, this.finished.get(n)!.state]));
      if (expr && !evaluateDepends(expr, states)) {
        this.finish(task, "Omitted", {}, "Skipped", "omitted: depends condition not met");
        continue;
      }
      const promise = this.execute(task).then(
        () => void this.running.delete(task.name),
        (error: unknown) => {
          this.running.delete(task.name);
          this.finish(task, "Error", {}, "Skipped", String((error as Error).message ?? error));
        },
      );
      this.running.set(task.name, promise);
    }
  }

  finish(task: WfTask, phase: Phase, outputs: Record<string, string>, type?: NodeRecord["type"], message?: string, children?: string[]): void {
    const names = this.depends.get(task.name)!.names;
    this.finished.set(task.name, { phase, dependencies: names, state: { phase, ...(children ? { children } : {}) }, outputs });
    if (type) this.wf.record({ name: `${this.nodeName}.${task.name}`, template: task.template, type, phase, tries: 0, ...(message ? { message } : {}) });
  }

  /** Resolves `{{tasks.X.outputs.parameters.Y}}` from finished dependencies (strict). */
  resolveTaskRefs(task: WfTask): WfTask {
    const scope: Record<string, string> = {};
    for (const [name, done] of this.finished) {
      for (const [key, value] of Object.entries(done.outputs)) scope[`tasks.${name}.outputs.parameters.${key}`] = value;
      scope[`tasks.${name}.status`] = done.phase;
    }
    return substituteDeep(task, scope, ["tasks."]);
  }

  async execute(original: WfTask): Promise<void> {
    const task = this.resolveTaskRefs(original);
    const childName = `${this.nodeName}.${task.name}`;
    if (task.when !== undefined && !evaluateWhen(task.when)) return this.finish(task, "Skipped", {}, "Skipped", `when '${task.when}' evaluated false`);
    if (task.withParam === undefined) {
      const phase = await this.wf.executeTemplate(childName, task.template, task.arguments?.parameters ?? [], this.boundary);
      this.finish(task, phase, this.wf.outputs.get(childName) ?? {});
      return;
    }
    const items: unknown = JSON.parse(task.withParam);
    if (!Array.isArray(items)) throw new Error(`withParam value could not be parsed as a JSON list: ${task.withParam}`);
    if (items.length === 0) return this.finish(task, "Skipped", {}, "Skipped", "Skipped, empty params");
    const phases = await Promise.all(
      items.map((item, index) => {
        const scope = itemScope(item);
        const args = substituteDeep(task.arguments?.parameters ?? [], scope);
        return this.wf.executeTemplate(`${childName}(${index}:${scope["item"]})`, task.template, args, this.boundary);
      }),
    );
    const group = phases.reduce<Phase>((acc, p) => (failedOrError(p) ? p : acc), "Succeeded");
    this.finish(task, group, {}, "TaskGroup", undefined, phases);
  }
}
