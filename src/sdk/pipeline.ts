import { RunnableError } from "../core/errors.js";
import { PIPELINE_BRAND, isBuiltPipeline } from "../core/pipeline-object.js";
import type { RunLog } from "../core/run-log.js";
import { buildGraph } from "../definition/build-graph.js";
import { MAP_REDUCER, TASK_FUNCTION, TASK_PARAMETERS, type Graph } from "../core/graph.js";
import { serialiseGraph } from "../definition/serialise.js";
import { runPrepared } from "../runtime/execute.js";
import { allNodes } from "../core/graph.js";
import type { PipelineSource } from "../runtime/load-pipeline-source.js";
import { type ExecuteIntent, type PreparedRun, type RetryIntent, prepare } from "../runtime/prepare.js";
import { createProgress } from "../runtime/progress.js";
import { checkOptions } from "./options.js";
import type { Step } from "./steps.js";
import { noAttachments, stepsToDag, type Attachments } from "./to-dag.js";

/** Options of `pipeline.execute()` (the CLI's options, by name; `useCached` re-runs an earlier run). */
export type ExecuteOptions = Omit<ExecuteIntent, "kind" | "source" | "stop" | "executionPlan"> & {
  /** Throw a RUN_FAILED error when the run fails (default true); the run log is on `error.runLog`. */
  throwOnFailure?: boolean;
  /** Show the run's progress as the CLI does (on stdout; `{ output: false }` hides task output). */
  progress?: boolean | { output?: boolean; write?: (text: string) => void };
};

const RUN_KEYS = [
  "configFile",
  "parametersFile",
  "runId",
  "tag",
  "cwd",
  "env",
  "registry",
  "onEvent",
  "warn",
  "signal",
  "stopGraceMs",
  "throwOnFailure",
  "progress",
];

/** `onEvent` with the CLI's live progress added when `progress` asks for it. */
function withProgress<T extends { onEvent?: ExecuteIntent["onEvent"] }>(options: T, progress: ExecuteOptions["progress"]): T {
  if (!progress) return options;
  const settings = progress === true ? {} : progress;
  const show = createProgress({
    tty: Boolean(process.stdout.isTTY) && settings.write === undefined,
    showOutput: settings.output !== false,
    write: settings.write ?? ((text) => void process.stdout.write(text)),
  });
  const user = options.onEvent;
  return {
    ...options,
    onEvent: (event) => {
      show(event);
      user?.(event);
    },
  };
}

/** Options of `pipeline.retry(runId)`. */
export type RetryPipelineOptions = Omit<RetryIntent, "kind" | "runId" | "file" | "source" | "stop"> & {
  /** Throw a RUN_FAILED error when the run fails again (default true). */
  throwOnFailure?: boolean;
  /** Show the run's progress as the CLI does (see {@link ExecuteOptions.progress}). */
  progress?: ExecuteOptions["progress"];
};

/** A pipeline built in code. */
export interface Pipeline {
  readonly [PIPELINE_BRAND]: true;
  readonly name: string;
  readonly description: string;
  readonly steps: readonly Step[];
  /** runnable's YAML `dag` mapping of this pipeline (as a branch when `branchName` is given). */
  toDag(branchName?: string, attachments?: Attachments): Record<string, unknown>;
  /** The validated graph, with in-memory functions attached. */
  build(): { graph: Graph; dag: Record<string, unknown> };
  /** The pipeline as a run source. */
  source(): PipelineSource;
  /** Runs the pipeline here and resolves with its run log. */
  execute(options?: ExecuteOptions): Promise<RunLog>;
  /** Continues a failed, stopped or dead run of this pipeline under its own id; resolves with its run log. */
  retry(runId: string, options?: RetryPipelineOptions): Promise<RunLog>;
}

/** Defines a pipeline from a list of steps (linked in list order unless steps say otherwise). */
export function pipeline(definition: { name?: string; description?: string; steps: Step[] }): Pipeline {
  checkOptions(`pipeline ${JSON.stringify(definition.name ?? "")}`, definition, ["name", "description", "steps"]);
  const name = definition.name ?? "";
  const description = definition.description ?? "";
  const steps = [...definition.steps];
  const self: Pipeline = {
    [PIPELINE_BRAND]: true,
    name,
    description,
    steps,
    toDag: (branchName = "", attachments = noAttachments()) => stepsToDag(steps, { name, description }, branchName, attachments),
    build() {
      const attachments: Attachments = noAttachments();
      const dag = self.toDag("", attachments);
      const graph = buildGraph(dag, { baseDir: process.cwd() });
      for (const node of allNodes(graph)) {
        const fn = attachments.functions.get(node.internalName);
        if (fn && node.kind === "task") Object.defineProperty(node.task, TASK_FUNCTION, { value: fn, enumerable: false });
        const schema = attachments.schemas.get(node.internalName);
        if (schema && node.kind === "task") Object.defineProperty(node.task, TASK_PARAMETERS, { value: schema, enumerable: false });
        const reducer = attachments.reducers.get(node.internalName);
        if (reducer && node.kind === "map") Object.defineProperty(node, MAP_REDUCER, { value: reducer, enumerable: false });
      }
      graph.name = name;
      return { graph, dag };
    },
    async execute(options = {}) {
      checkOptions("pipeline.execute()", options, [...RUN_KEYS, "useCached"]);
      const { throwOnFailure = true, progress, ...runOptions } = options;
      return finished(await prepare({ ...withProgress(runOptions, progress), kind: "execute", source: self.source() }), throwOnFailure);
    },
    async retry(runId, options = {}) {
      checkOptions(
        "pipeline.retry()",
        options,
        RUN_KEYS.filter((key) => key !== "runId" && key !== "tag"),
      );
      const { throwOnFailure = true, progress, ...retryOptions } = options;
      return finished(await prepare({ ...withProgress(retryOptions, progress), kind: "retry", runId, source: self.source() }), throwOnFailure);
    },
    source() {
      const { graph } = self.build();
      return { kind: "graph" as const, graph, serialised: serialiseGraph(graph), name: name || "pipeline", file: null };
    },
  };
  return self;
}

/** Runs a prepared run and reads its log back (a failed run throws RUN_FAILED unless asked not to). */
async function finished(prepared: PreparedRun, throwOnFailure: boolean): Promise<RunLog> {
  const { runLogStore } = prepared.services;
  const result = await runPrepared(prepared);
  const runLog = await runLogStore.get(result.runId);
  if (throwOnFailure && runLog.status !== "SUCCESS") {
    throw Object.assign(new RunnableError("RUN_FAILED", `run ${result.runId} failed`), { runLog });
  }
  return runLog;
}

/** True when `value` is a pipeline built with {@link pipeline} (by any copy of this package). */
export function isPipeline(value: unknown): value is Pipeline {
  return isBuiltPipeline(value);
}
