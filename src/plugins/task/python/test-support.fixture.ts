import { folderObjects, testInvocation } from "../../../testing/invocation.js";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TaskNode } from "../../../core/graph.js";
import type { MapVariable } from "../../../core/names.js";
import type { ParameterKinds, TaskReturn } from "../../../core/returns.js";
import type { DataCatalog, Parameters } from "../../../core/run-log.js";
import type { TaskInvocation, TaskRunner } from "../../../ports/task-runner.js";
import { createPythonRunner, type PythonRunnerConfig } from "./python.js";

/** A task node for tests. */
export function taskNode(command: string, commandType = "python", extra: Record<string, unknown> = {}, returns?: TaskReturn[]): TaskNode {
  return {
    kind: "task",
    name: "step",
    internalName: "step",
    internalBranchName: "",
    next: "success",
    onFailure: "",
    overrides: {},
    task: { command_type: commandType, command, ...extra },
    catalog: null,
    maxAttempts: 1,
    secrets: [],
    ...(returns && { returns }),
  };
}

/** What a fake invocation recorded: output, catalog calls. */
export interface Recorded {
  stdout: string;
  stderr: string;
  catalog: string[];
}

/** A scratch project folder with files, and a runner over it. */
export async function project(files: Record<string, string>, config: PythonRunnerConfig = {}) {
  const dir = await mkdtemp(join(tmpdir(), "runnable-py-test-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  const runner: TaskRunner = createPythonRunner(config, { cwd: dir, env: process.env, warn: () => {} });
  const cleanup = async () => {
    await runner.dispose?.();
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, runner, cleanup };
}

/** An invocation of `node` in `dir` with fake services; `recorded` fills while it runs. */
export function invocation(
  dir: string,
  node: TaskNode,
  parameters: Parameters = {},
  options: { env?: Record<string, string>; mapVariable?: MapVariable; tracker?: Record<string, unknown>; parameterKinds?: ParameterKinds } = {},
): { invocation: TaskInvocation; recorded: Recorded } {
  const recorded: Recorded = { stdout: "", stderr: "", catalog: [] };
  const record = (stage: "get" | "put", name: string): DataCatalog[] => {
    recorded.catalog.push(`${stage} ${name}`);
    return [{ name, data_hash: "0".repeat(64), catalog_relative_path: `r/${name}`, catalog_handler_location: ".catalog", stage }];
  };
  const env = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...(options.env ?? {}) };
  const base = testInvocation({
    node,
    cwd: dir,
    parameters,
    env,
    ...(options.mapVariable ? { mapVariable: options.mapVariable } : {}),
    ...(options.parameterKinds ? { parameterKinds: options.parameterKinds } : {}),
    output: { write: (stream, chunk) => void (recorded[stream] += chunk.toString()) },
  });
  return {
    recorded,
    invocation: {
      ...base,
      runId: "run-1",
      tag: "demo",
      env,
      services: {
        getSecret: async (name) => (name === "token" ? "s3cret" : Promise.reject(new Error(`secret ${name} not found`))),
        getFromCatalog: async (pattern) => record("get", pattern),
        putInCatalog: async (pattern) => record("put", pattern),
        getRunLog: async () => ({ run_id: "run-1" }) as never,
        trackerContext: () => options.tracker ?? {},
        ...folderObjects(join(dir, ".objects")),
      },
    },
  };
}

/** True when `python -c code` succeeds. */
export function pythonCan(python: string, code: string): boolean {
  try {
    execFileSync(python, ["-c", code], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
