import { RunnableError } from "../core/errors.js";
import type { RunLog } from "../core/run-log.js";
import { buildGraph } from "../definition/build-graph.js";
import { MAP_REDUCER, TASK_FUNCTION, type Graph } from "../core/graph.js";
import { serialiseGraph } from "../definition/serialise.js";
import { runPipeline } from "../engine/run-pipeline.js";
import { allNodes } from "../runtime/check-graph.js";
import { prepareRun, type RunOptions } from "../runtime/prepare-run.js";
import type { Step } from "./steps.js";
import { stepsToDag, type Attachments } from "./to-dag.js";

const BRAND = Symbol.for("runnable-ts.pipeline");

/** Options of `pipeline.execute()` (the CLI's options, by name). */
export type ExecuteOptions = Omit<RunOptions, "source"> & {
  /** Throw a RUN_FAILED error when the run fails (default true); the run log is on `error.runLog`. */
  throwOnFailure?: boolean;
};

/** A pipeline built in code. */
export interface Pipeline {
  readonly [BRAND]: true;
  readonly name: string;
  readonly description: string;
  readonly steps: readonly Step[];
  /** runnable's YAML `dag` mapping of this pipeline (as a branch when `branchName` is given). */
  toDag(branchName?: string, attachments?: Attachments): Record<string, unknown>;
  /** The validated graph, with in-memory functions attached. */
  build(): { graph: Graph; dag: Record<string, unknown> };
  /** Runs the pipeline here and resolves with its run log. */
  execute(options?: ExecuteOptions): Promise<RunLog>;
}

/** Defines a pipeline from a list of steps (linked in list order unless steps say otherwise). */
export function pipeline(definition: { name?: string; description?: string; steps: Step[] }): Pipeline {
  const name = definition.name ?? "";
  const description = definition.description ?? "";
  const steps = [...definition.steps];
  const self: Pipeline = {
    [BRAND]: true,
    name,
    description,
    steps,
    toDag: (branchName = "", attachments = { functions: new Map(), reducers: new Map() }) =>
      stepsToDag(steps, { name, description }, branchName, attachments),
    build() {
      const attachments: Attachments = { functions: new Map(), reducers: new Map() };
      const dag = self.toDag("", attachments);
      const graph = buildGraph(dag, { baseDir: process.cwd() });
      for (const node of allNodes(graph)) {
        const fn = attachments.functions.get(node.internalName);
        if (fn && node.kind === "task") Object.defineProperty(node.task, TASK_FUNCTION, { value: fn, enumerable: false });
        const reducer = attachments.reducers.get(node.internalName);
        if (reducer && node.kind === "map") Object.defineProperty(node, MAP_REDUCER, { value: reducer, enumerable: false });
      }
      graph.name = name;
      return { graph, dag };
    },
    async execute(options = {}) {
      const { throwOnFailure = true, ...runOptions } = options;
      const { graph } = self.build();
      const source = { kind: "graph" as const, graph, serialised: serialiseGraph(graph), name: name || "pipeline", file: null };
      const { plan, services } = await prepareRun({ ...runOptions, source });
      await runPipeline(plan, services);
      const runLog = await services.runLogStore.get(plan.runId);
      if (throwOnFailure && runLog.status !== "SUCCESS") {
        throw Object.assign(new RunnableError("RUN_FAILED", `run ${plan.runId} failed`), { runLog });
      }
      return runLog;
    },
  };
  return self;
}

/** True when `value` is a pipeline built with {@link pipeline} (by any copy of this package). */
export function isPipeline(value: unknown): value is Pipeline {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
