import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunLog, StepLog } from "../../src/core/run-log.js";
import { openRunLogStore } from "../../src/runtime/open-store.js";
import type { ExecuteOptions } from "../../src/sdk/pipeline.js";

/** Step name -> status, in order. */
export function statuses(steps: Record<string, { status: string }>): Record<string, string> {
  return Object.fromEntries(Object.entries(steps).map(([name, step]) => [name, step.status]));
}

/** The branch logs of a top-level composite step, in order. */
export function branchesOf(log: Record<string, any>, step: string): Array<Record<string, any>> {
  return Object.values(log.steps[step].branches);
}

/** The steps of one branch of a top-level composite step. */
export function stepsOf(log: Record<string, any>, step: string, branch: string): Record<string, StepLog> {
  return log.steps[step].branches[branch].steps;
}

/**
 * Runs `body` in a fresh working folder whose services config is `config` (JSON is YAML), with options
 * for `pipeline.execute()` and a function reading a run back through a fresh store instance.
 */
export async function inScratch(
  config: Record<string, unknown>,
  body: (options: ExecuteOptions, reopen: (runId: string) => Promise<RunLog>) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "runnable-composite-"));
  try {
    const configFile = join(dir, "config.yaml");
    await writeFile(configFile, JSON.stringify(config));
    const options: ExecuteOptions = { cwd: dir, env: { PATH: process.env.PATH }, configFile, warn: () => undefined };
    const reopen = async (runId: string): Promise<RunLog> => (await openRunLogStore({ configFile, cwd: dir, env: {} })).get(runId);
    await body(options, reopen);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
