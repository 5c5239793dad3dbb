import { mkdtempSync } from "node:fs";
import { copyFile, mkdir, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskNode } from "../core/graph.js";
import type { MapVariable } from "../core/names.js";
import { objectName, type InvocationReturn, type ParameterKinds } from "../core/returns.js";
import type { Parameters } from "../core/run-log.js";
import { createLauncher } from "../engine/process-launcher.js";
import { taskEnvironment } from "../engine/task-env.js";
import type { OutputSink, TaskInvocation, TaskServices } from "../ports/task-runner.js";

/** Options of {@link testInvocation}. */
export interface TestInvocationOptions {
  node: TaskNode;
  cwd: string;
  parameters?: Parameters;
  /** Kinds of the non-JSON parameters (an object parameter's value names a file of `services.getObject`). */
  parameterKinds?: ParameterKinds;
  env?: Record<string, string>;
  mapVariable?: MapVariable;
  output?: OutputSink;
  services?: Partial<TaskServices>;
  /** Aborting it stops the attempt (as a stopped run or a time limit would). */
  signal?: AbortSignal;
  /** Grace period of stopped processes (default 1 s). */
  graceMs?: number;
}

const noServices: TaskServices = {
  getSecret: async (name) => Promise.reject(new Error(`secret ${name} not found`)),
  getFromCatalog: async () => [],
  putInCatalog: async () => [],
  getRunLog: async () => Promise.reject(new Error("no run log in a test invocation")),
  trackerContext: () => ({}),
  putObject: async (name) => Promise.reject(new Error(`no object store in a test invocation (object ${name}): pass services from folderObjects(dir)`)),
  getObject: async (name) => Promise.reject(new Error(`no object store in a test invocation (object ${name}): pass services from folderObjects(dir)`)),
};

/** `putObject`/`getObject` keeping object files in `dir` (for runner tests of returned objects). */
export function folderObjects(dir: string): Pick<TaskServices, "putObject" | "getObject"> {
  return {
    putObject: async (name, path) => {
      await mkdir(dir, { recursive: true });
      await rename(path, join(dir, name));
    },
    getObject: async (name, path) => copyFile(join(dir, name), path),
  };
}

/**
 * A task invocation for testing a task runner directly: real supervised processes (own process group,
 * stopped through `signal`), a private scratch folder, and whatever services the test supplies.
 */
export function testInvocation(options: TestInvocationOptions): TaskInvocation {
  const output = options.output ?? { write: () => undefined };
  const signal = options.signal ?? new AbortController().signal;
  const base = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...(options.env ?? {}) };
  const parameters = options.parameters ?? {};
  const mapVariable = options.mapVariable ?? [];
  const env = taskEnvironment({ base, runId: "test-run", tag: "", attempt: 1, parameters, mapVariable, secrets: {} });
  return {
    runId: "test-run",
    tag: "",
    node: options.node,
    internalName: options.node.internalName,
    attempt: 1,
    parameters,
    parameterKinds: options.parameterKinds ?? {},
    returns: (options.node.returns ?? []).map((r): InvocationReturn => (r.kind === "object" ? { ...r, object: objectName("", r.name) } : { ...r })),
    mapVariable,
    cwd: options.cwd,
    env,
    output,
    services: { ...noServices, ...options.services },
    secretValues: [],
    signal,
    spawn: createLauncher({
      output,
      signal,
      force: new AbortController().signal,
      graceMs: options.graceMs ?? 1_000,
      registry: { add: () => undefined, remove: () => undefined },
    }),
    scratchDir: async () => mkdtempSync(join(tmpdir(), "runnable-test-scratch-")),
  };
}
