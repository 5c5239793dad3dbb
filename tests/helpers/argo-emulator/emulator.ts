/**
 * An emulator of the Argo Workflows controller for the subset of the Workflow spec the `argo` executor
 * renders, so the tests can run a rendered manifest without Kubernetes. Semantics follow
 * argo-workflows v4.1.2 (workflow/controller/dag.go, operator.go, node_counters.go; docs:
 * enhanced-depends-logic.md, retries.md, walk-through/dag.md, fields.md):
 * - DAG tasks start once every task their `depends` names is fulfilled; a false expression omits
 *   the task (depends.ts); the DAG's phase comes from its target tasks (dag-phase.ts);
 * - `withParam` expands a task over a JSON list (items as Argo passes them, substitute.ts); an empty
 *   list makes the task Skipped; the group fails when any child failed;
 * - inputs/arguments: `{{inputs.parameters.x}}`, `{{item}}`, `{{workflow.parameters.x}}`,
 *   `{{workflow.uid}}`, `{{workflow.name}}`, `{{tasks.X.outputs.parameters.Y}}`, `{{retries}}`;
 * - `retryStrategy.limit` (template's, else the workflow's, for any template type) with
 *   `retryPolicy` Always / OnFailure / OnError / OnTransientError; back-off delays are not waited;
 * - `parallelism`: workflow-wide active pods, and a template's active direct children;
 * - template `failFast`: no new child starts once one failed, then the DAG fails;
 * - `activeDeadlineSeconds` of a pod template (or `templateDefaults`) and of the workflow;
 * - a task's `when` (when.ts): false makes it Skipped ("when '...' evaluated false"), as shouldExecute;
 * - recursion: a DAG task may call the template it is in (templates are looked up when a task starts,
 *   as the controller does; Argo bounds only the workflow's size, the template bounds its depth).
 * Not emulated: withItems/withSequence expressions, artifacts, hooks, exit handlers, daemons.
 */
import { DagRun, type Boundary } from "./dag-run.js";
import { Semaphore } from "./semaphore.js";
import { substituteDeep, substituteText } from "./substitute.js";
import {
  failedOrError,
  type NodeRecord,
  type Phase,
  type PodRequest,
  type PodResult,
  type PodRunner,
  type WfParameter,
  type WfRetry,
  type WfTemplate,
  type WfWorkflow,
} from "./types.js";

/** How to run a workflow. */
export interface EmulatorOptions {
  runPod: PodRunner;
  /** `{{workflow.uid}}` (default: a random UUID). */
  uid?: string;
  /** Submission parameters (`argo submit -p name=value`). */
  parameters?: Record<string, string>;
  /** Kubernetes secrets for `valueFrom.secretKeyRef`: secret name → key → value. */
  secrets?: Record<string, Record<string, string>>;
}

/** The outcome of a run. */
export interface WorkflowResult {
  phase: Phase;
  uid: string;
  nodes: NodeRecord[];
}

const RETRYABLE: Record<string, (phase: Phase) => boolean> = {
  Always: (p) => p === "Failed" || p === "Error",
  OnFailure: (p) => p === "Failed",
  OnError: (p) => p === "Error",
  OnTransientError: (p) => p === "Error",
};

const asInt = (value: string | number | undefined): number | undefined => (value === undefined ? undefined : Number.parseInt(String(value), 10));

class WorkflowRun {
  readonly nodes: NodeRecord[] = [];
  readonly templates = new Map<string, WfTemplate>();
  readonly globals: Record<string, string> = {};
  readonly podSlots: Semaphore | null;
  readonly stop = new AbortController();

  constructor(
    readonly workflow: WfWorkflow,
    readonly options: EmulatorOptions,
    readonly uid: string,
  ) {
    for (const template of workflow.spec.templates) this.templates.set(template.name, template);
    const name = `${workflow.metadata?.generateName ?? workflow.metadata?.name ?? "workflow-"}emu`;
    Object.assign(this.globals, { "workflow.uid": uid, "workflow.name": name });
    for (const parameter of workflow.spec.arguments?.parameters ?? []) {
      const given = options.parameters?.[parameter.name] ?? parameter.value ?? parameter.default ?? "";
      this.globals[`workflow.parameters.${parameter.name}`] = substituteText(given, this.globals);
    }
    this.podSlots = workflow.spec.parallelism ? new Semaphore(workflow.spec.parallelism) : null;
  }

  template(name: string): WfTemplate {
    const template = this.templates.get(name);
    if (!template) throw new Error(`template "${name}" does not exist`);
    return template;
  }

  record(node: NodeRecord): NodeRecord {
    this.nodes.push(node);
    return node;
  }

  /** Binds arguments to a template's inputs and substitutes inputs and globals everywhere in it. */
  bind(template: WfTemplate, args: readonly WfParameter[]): WfTemplate {
    const scope: Record<string, string> = { ...this.globals };
    for (const input of template.inputs?.parameters ?? []) {
      const value = args.find((a) => a.name === input.name)?.value ?? input.value ?? input.default;
      if (value === undefined) throw new Error(`template "${template.name}": input parameter "${input.name}" was not supplied`);
      scope[`inputs.parameters.${input.name}`] = value;
    }
    const { dag, ...rest } = template;
    // DAG tasks keep {{item}} and {{tasks.*}} for later; everything else resolves now.
    const bound = substituteDeep(rest, scope) as WfTemplate;
    return dag ? { ...bound, dag: { ...dag, tasks: substituteDeep(dag.tasks, scope) } } : bound;
  }

  async executeTemplate(nodeName: string, templateName: string, args: readonly WfParameter[], boundary: Boundary | null): Promise<Phase> {
    const template = this.bind(this.template(templateName), args);
    const retry: WfRetry | undefined = template.retryStrategy ?? this.workflow.spec.retryStrategy;
    const limit = asInt(retry?.limit) ?? 0;
    const retryable = RETRYABLE[retry?.retryPolicy ?? "Always"] ?? RETRYABLE["Always"]!;
    let phase: Phase = "Error";
    let tries = 0;
    const node = this.record({ name: nodeName, template: templateName, type: template.dag ? "DAG" : "Pod", phase: "Error", tries: 0 });
    for (let attempt = 0; attempt <= limit; attempt++) {
      if (this.stop.signal.aborted) break;
      const outcome = await this.withSlot(boundary, async () => {
        // Argo does not create a child of a failFast template once one failed (checkParallelism);
        // the DAG fails when its running children are done.
        if (boundary?.failFast && boundary.unsuccessful > 0) return undefined;
        tries++;
        const tried = await (template.dag ? this.runDag(nodeName, template) : this.runPod(nodeName, template, attempt, node));
        if (failedOrError(tried) && boundary) boundary.unsuccessful++;
        return tried;
      });
      if (outcome === undefined) {
        Object.assign(node, { phase: "Omitted", tries, message: "not started: template has failed or errored children and failFast enabled" });
        return "Omitted";
      }
      phase = outcome;
      if (!retry || !retryable(phase)) break;
    }
    Object.assign(node, { phase, tries });
    return phase;
  }

  async withSlot<T>(boundary: Boundary | null, run: () => Promise<T>): Promise<T> {
    if (!boundary?.slots) return run();
    return boundary.slots.use(run);
  }

  /**
   * The signal that stops a pod: the workflow's stop or the pod's deadline. A timer and a listener
   * rather than AbortSignal.timeout/any, whose timeout signal can be garbage-collected before it fires.
   */
  podSignal(deadlineSeconds: number | undefined): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    const stop = () => controller.abort(new Error("stopped"));
    const timer = deadlineSeconds ? setTimeout(() => controller.abort(new Error("deadline")), deadlineSeconds * 1000) : undefined;
    this.stop.signal.addEventListener("abort", stop, { once: true });
    if (this.stop.signal.aborted) stop();
    return {
      signal: controller.signal,
      release: () => {
        clearTimeout(timer);
        this.stop.signal.removeEventListener("abort", stop);
      },
    };
  }

  /** The pod request of a container template (substituted); `release` ends its deadline timer. */
  podRequest(nodeName: string, template: WfTemplate, retry: number): PodRequest & { release: () => void } {
    const container = template.container;
    if (!container) throw new Error(`template "${template.name}" is neither a DAG nor a container template`);
    const scoped = substituteDeep(container, { retries: String(retry) });
    const env: Record<string, string> = {};
    for (const entry of scoped.env ?? []) env[entry.name] = entry.value ?? this.secret(entry.valueFrom?.secretKeyRef);
    const claims = new Map((this.workflow.spec.volumes ?? []).map((v) => [v.name, v.persistentVolumeClaim?.claimName ?? v.name]));
    const deadline = asInt(template.activeDeadlineSeconds ?? this.workflow.spec.templateDefaults?.activeDeadlineSeconds);
    return {
      nodeName,
      templateName: template.name,
      retry,
      image: scoped.image,
      argv: [...(scoped.command ?? []), ...(scoped.args ?? [])],
      env,
      ...(scoped.workingDir ? { workingDir: scoped.workingDir } : {}),
      volumes: (scoped.volumeMounts ?? []).map((m) => ({ claimName: claims.get(m.name) ?? m.name, mountPath: m.mountPath })),
      outputs: (template.outputs?.parameters ?? []).filter((p) => p.valueFrom?.path).map((p) => ({ name: p.name, path: p.valueFrom!.path! })),
      ...this.podSignal(deadline),
    };
  }

  async runPod(nodeName: string, template: WfTemplate, retry: number, node: NodeRecord): Promise<Phase> {
    let result: PodResult;
    let request: PodRequest & { release: () => void };
    try {
      request = this.podRequest(nodeName, template, retry);
    } catch (error) {
      node.message = `pod runner error: ${(error as Error).message}`;
      return "Error";
    }
    try {
      const { release: _release, ...pod } = request;
      const run = () => this.options.runPod(pod);
      result = await (this.podSlots ? this.podSlots.use(run) : run());
    } catch (error) {
      node.message = `pod runner error: ${(error as Error).message}`;
      return "Error";
    } finally {
      request.release();
    }
    if (request.signal.aborted) {
      node.message = this.stop.signal.aborted ? "Stopped with strategy 'Terminate'" : "Pod was active on the node longer than the specified deadline";
      return "Failed";
    }
    this.outputs.set(nodeName, result.outputs);
    if (result.exitCode !== 0) {
      node.message = `Error (exit code ${result.exitCode})${result.log ? `: ${result.log.slice(-2000)}` : ""}`;
      return "Failed";
    }
    const missing = (template.outputs?.parameters ?? []).find((p) => !(p.name in result.outputs));
    if (missing) {
      node.message = `output parameter ${missing.name}: ${missing.valueFrom?.path} not found`;
      return "Error";
    }
    return "Succeeded";
  }

  readonly outputs = new Map<string, Record<string, string>>();

  secret(ref: { name: string; key: string } | undefined): string {
    const value = ref ? this.options.secrets?.[ref.name]?.[ref.key] : undefined;
    if (value === undefined) throw new Error(`secret ${ref?.name}/${ref?.key} is not defined (EmulatorOptions.secrets)`);
    return value;
  }

  async runDag(nodeName: string, template: WfTemplate): Promise<Phase> {
    return new DagRun(this, nodeName, template).run();
  }
}

/** Runs a Workflow to completion with the given pod runner; never throws for a failed workflow. */
export async function runWorkflow(workflow: WfWorkflow, options: EmulatorOptions): Promise<WorkflowResult> {
  const uid = options.uid ?? crypto.randomUUID();
  const run = new WorkflowRun(workflow, options, uid);
  const deadline = asInt(workflow.spec.activeDeadlineSeconds);
  const timer = deadline ? setTimeout(() => run.stop.abort(), deadline * 1000) : undefined;
  try {
    const phase = await run.executeTemplate(run.globals["workflow.name"]!, workflow.spec.entrypoint, [], null);
    return { phase: run.stop.signal.aborted ? "Failed" : phase, uid, nodes: run.nodes };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
