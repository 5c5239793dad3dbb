import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TASK_FUNCTION, type TaskNode } from "../core/graph.js";
import { MetricSeries, type TrackedPoint } from "../core/metrics.js";
import type { MapVariable } from "../core/names.js";
import type { Parameters, RunLog } from "../core/run-log.js";
import { runPrepared } from "../runtime/execute.js";
import { builtinRegistry } from "../runtime/builtins.js";
import { prepare } from "../runtime/prepare.js";
import { definePlugin } from "../ports/plugin.js";
import type { Executor, LeafNode, StepDisposition } from "../ports/executor.js";
import { taskContextStorage, type TaskContext } from "../ports/task-context.js";
import type { TaskServices } from "../ports/task-runner.js";
import { installConsoleRouting } from "../plugins/task/typescript/console-routing.js";
import type { Pipeline } from "../sdk/pipeline.js";
import { z } from "zod";

/** What replaces a task in a mocked run: a function (run in-process as a TypeScript task) or a command of the task's own kind. */
export type Patch = ((parameters: Record<string, unknown>) => unknown) | { command: string };

/** Options of {@link runWithMocks}. */
export interface MockRunOptions {
  /** Step name (every step of that name, in every branch) → what runs instead. */
  patches?: Record<string, Patch>;
  /** Steps without a patch: recorded as run without running (default), or run for real. */
  unpatched?: "mock" | "run";
  /** Initial parameters. */
  parameters?: Parameters;
  runId?: string;
  /** Working directory of tasks and the catalog (default: a fresh temp folder, removed afterwards). */
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

function patchedNode(node: TaskNode, patch: Patch): TaskNode {
  if (typeof patch !== "function") return { ...node, task: { ...node.task, command: patch.command } };
  const task = { ...node.task, command_type: "typescript", command: `<patch>#${patch.name || "patch"}` };
  Object.defineProperty(task, TASK_FUNCTION, { value: patch, enumerable: false });
  return { ...node, task };
}

/** The executor type of runs made by {@link runWithMocks} (in one process: the in-memory store is fine). */
const TEST_EXECUTOR = "testing-mocked";

function mockingExecutor(options: MockRunOptions): Executor {
  const patches = options.patches ?? {};
  return {
    type: TEST_EXECUTOR,
    capabilities: { placement: "in-process", retryByRelaunch: false, memoryStore: false },
    recordedConfig: {
      enable_parallel: false,
      overrides: {},
      patches: Object.fromEntries(Object.keys(patches).map((name) => [name, { command: "<in-memory patch>" }])),
    },
    maxParallel: 1,
    stepTimeLimitMs: () => undefined,
    disposition(node: LeafNode): StepDisposition {
      const patch = Object.hasOwn(patches, node.name) ? patches[node.name] : undefined;
      if (patch && node.kind === "task") return { kind: "run", node: patchedNode(node, patch) };
      return options.unpatched === "run" && node.kind === "task" ? { kind: "run", node } : { kind: "mock" };
    },
  };
}

/**
 * Runs an SDK pipeline for a unit test with its tasks mocked (recorded `mock: true` without running)
 * or patched (a function or a command runs instead); resolves with the run log. The run log and, unless
 * `cwd` is given, the catalog live in a temp folder removed afterwards.
 */
export async function runWithMocks(pipeline: Pipeline, options: MockRunOptions = {}): Promise<RunLog> {
  const scratch = await mkdtemp(join(tmpdir(), "runnable-mock-run-"));
  const cwd = options.cwd ?? scratch;
  const config = join(scratch, ".runnable-mock-config.yaml");
  try {
    // The run log goes to the temp folder (and is removed with it): the caller gets it back as an object.
    const folder = JSON.stringify(join(scratch, ".run_log_store"));
    await writeFile(config, `executor:\n  type: ${TEST_EXECUTOR}\nrun_log_store:\n  type: file-system\n  config:\n    log_folder: ${folder}\n`);
    const executor = mockingExecutor(options);
    const plugin = definePlugin({
      kind: "executor",
      type: TEST_EXECUTOR,
      description: "mocked executor of runnable-ts/testing",
      configSchema: z.strictObject({}),
      create: async () => executor,
    });
    const prepared = await prepare({
      kind: "execute",
      source: pipeline.source(),
      configFile: config,
      cwd,
      env: options.env ?? { PATH: process.env["PATH"] },
      registry: builtinRegistry([plugin]),
      warn: () => undefined,
      ...(options.runId ? { runId: options.runId } : {}),
    });
    if (options.parameters) prepared.plan.initialParameters = { ...prepared.plan.initialParameters, ...options.parameters };
    const store = prepared.services.runLogStore;
    const result = await runPrepared(prepared);
    return await store.get(result.runId);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Options of {@link callTask}. */
export interface CallTaskOptions {
  parameters?: Parameters;
  /** Values `getSecret(name)` returns. */
  secrets?: Record<string, string>;
  runId?: string;
  tag?: string;
  stepName?: string;
  mapVariable?: MapVariable;
  /** What the in-task catalog functions do (default: they fail, saying no catalog is attached). */
  services?: Partial<TaskServices>;
}

/** What a task function did when called with {@link callTask}. */
export interface CalledTask {
  /** What the function returned. */
  returned: unknown;
  /** Parameters it set (`setParameter`) or returned, as the engine would record them. */
  parameters: Parameters;
  /** Metrics as a step log records them (`user_defined_metrics`). */
  metrics: Record<string, unknown>;
  /** Every `track()` call, in order. */
  points: TrackedPoint[];
  /** What it printed through `console`. */
  output: string;
}

/**
 * Calls a task function directly, inside a fake task context, so that `track()`, `getParameter()`,
 * `setParameter()`, `getSecret()`, `getRunId()` work in a unit test. Exceptions propagate.
 */
export async function callTask(fn: (parameters: Record<string, unknown>) => unknown, options: CallTaskOptions = {}): Promise<CalledTask> {
  const unavailable = (what: string) => async () => Promise.reject(new Error(`${what} is not available in callTask (pass it in options.services)`));
  const services: TaskServices = {
    getSecret: async (name) => {
      const value = options.secrets?.[name];
      if (value === undefined) throw new Error(`secret ${name} is not set (pass it in options.secrets)`);
      return value;
    },
    getFromCatalog: unavailable("the catalog"),
    putInCatalog: unavailable("the catalog"),
    getRunLog: unavailable("the run log"),
    trackerContext: () => ({}),
    putObject: unavailable("the catalog"),
    getObject: unavailable("the catalog"),
    ...options.services,
  };
  let output = "";
  const context: TaskContext = {
    runId: options.runId ?? "test-run",
    tag: options.tag ?? "",
    stepName: options.stepName ?? fn.name ?? "task",
    internalName: options.stepName ?? fn.name ?? "task",
    attempt: 1,
    mapVariable: options.mapVariable ?? [],
    parameters: structuredClone(options.parameters ?? {}),
    changed: {},
    metrics: new RecordingSeries(),
    services,
    signal: new AbortController().signal,
    log: (_stream, text) => void (output += text),
  };
  installConsoleRouting();
  const returned = await taskContextStorage().run(context, () => fn(context.parameters));
  const fromReturn = returned && typeof returned === "object" && !Array.isArray(returned) ? (JSON.parse(JSON.stringify(returned)) as Parameters) : {};
  return {
    returned,
    parameters: { ...context.changed, ...fromReturn },
    metrics: context.metrics.collapsed(),
    points: (context.metrics as RecordingSeries).points,
    output,
  };
}

/** A series that also keeps every recorded point, in order (for {@link CalledTask.points}). */
class RecordingSeries extends MetricSeries {
  readonly points: TrackedPoint[] = [];
  override record(key: string, step: number, value: unknown, timeMs: number): void {
    this.points.push({ key, step, value, time_ms: timeMs });
    super.record(key, step, value, timeMs);
  }
}
