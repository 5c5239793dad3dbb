import type { TaskNode } from "../core/graph.js";
import { kindsFor, type InvocationReturn, objectName } from "../core/returns.js";
import type { DataCatalog } from "../core/run-log.js";
import type { OutputSink, TaskInvocation, TaskServices } from "../ports/task-runner.js";
import type { AttemptProcesses } from "./attempt-processes.js";
import { fetchObject, storeObject } from "./objects.js";
import { createLauncher } from "./process-launcher.js";
import type { BranchContext, RunState } from "./run-state.js";
import { taskEnvironment } from "./task-env.js";

/** One attempt as the invocation needs it. */
export interface AttemptRef {
  number: number;
  output: OutputSink;
  records: DataCatalog[];
  internalName: string;
  signal: AbortSignal;
  scratchDir: () => Promise<string>;
  /** The attempt's processes: their cookie, and noting that some were started. */
  processes: AttemptProcesses;
}

/** Everything a runner needs for one attempt: parameters, environment with secrets, in-task services, process launcher. */
export async function invocationFor(run: RunState, node: TaskNode, ctx: BranchContext, attempt: AttemptRef): Promise<TaskInvocation> {
  const secrets: Record<string, string> = {};
  for (const name of node.secrets) {
    secrets[name] = await run.services.secrets.get(name);
    if (secrets[name]) run.secretValues.add(secrets[name]);
  }
  const { runId, tag, cwd } = run.plan;
  let env: Record<string, string> | undefined;
  const environment = (): Record<string, string> =>
    (env ??= taskEnvironment({
      base: run.baseEnv,
      runId,
      tag,
      attempt: attempt.number,
      parameters: ctx.scope.parameters,
      mapVariable: ctx.mapVariable,
      loopEnv: ctx.loopEnv,
      secrets,
      processCookie: attempt.processes.cookie,
    }));
  const spawn = createLauncher({
    output: attempt.output,
    signal: attempt.signal,
    force: run.plan.stop.force,
    graceMs: run.services.stopGraceMs,
    registry: run.services.processes,
  });
  return {
    // Built on first use: in-process runners never read it, and encoding large parameters costs.
    get env() {
      attempt.processes.started();
      return environment();
    },
    runId,
    tag,
    node,
    internalName: attempt.internalName,
    attempt: attempt.number,
    parameters: ctx.scope.parameters,
    parameterKinds: kindsFor(ctx.scope.kinds),
    returns: invocationReturns(node, ctx),
    mapVariable: ctx.mapVariable,
    cwd,
    output: attempt.output,
    services: taskServices(run, attempt.records),
    secretValues: [...run.secretValues],
    // Read on use: only runners that start processes (or threads) need it.
    get processCookie() {
      return attempt.processes.cookie;
    },
    signal: attempt.signal,
    spawn,
    scratchDir: attempt.scratchDir,
  };
}

/** The declared returns, each object with the name it is stored under (unique in the run: see `objectName`). */
function invocationReturns(node: TaskNode, ctx: BranchContext): InvocationReturn[] {
  const branchKey = ctx.location.at(-1)?.[1] ?? "";
  return (node.returns ?? []).map((r) => (r.kind === "object" ? { ...r, object: objectName(branchKey, r.name) } : { ...r }));
}

function taskServices(run: RunState, records: DataCatalog[]): TaskServices {
  const { catalog, secrets, runLogStore, tracker } = run.services;
  const { runId } = run.plan;
  return {
    async getSecret(name) {
      const value = await secrets.get(name);
      if (value) run.secretValues.add(value);
      return value;
    },
    async getFromCatalog(pattern) {
      const got = await catalog.get(pattern, runId);
      records.push(...got);
      return got;
    },
    async putInCatalog(pattern) {
      const put = await catalog.put(pattern, runId);
      if (put.length === 0) run.services.warn(`nothing was cataloged for "${pattern}" (catalog ${catalog.type})`);
      records.push(...put);
      return put;
    },
    getRunLog: () => runLogStore.get(runId),
    trackerContext: () => tracker.clientContext(),
    putObject: (name, path) => (run.memoryObjects ? run.memoryObjects.put(name, path) : storeObject(catalog, runId, name, path)),
    getObject: (name, path) => (run.memoryObjects ? run.memoryObjects.get(name, path, runId) : fetchObject(catalog, runId, name, path)),
  };
}
