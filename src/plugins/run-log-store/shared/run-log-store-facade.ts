import { RunnableError } from "../../../core/errors.js";
import { cloneJson } from "../../../core/parameters.js";
import type { ParameterKinds } from "../../../core/returns.js";
import type { Parameters } from "../../../core/run-log.js";
import { validateRunId } from "../../../core/run-id.js";
import type { RunHeader, RunLogStore, RunLogStoreDriver, RunOp } from "../../../ports/run-log-store.js";
import { checkWritable } from "./run-log-schema.js";
import { removeOp, runFromHeader, branchOp, stepOp } from "./run-ops.js";
import { misplacedWrite, runNotFound } from "./store-errors.js";

// The wide RunLogStore over a small driver. What every store used to repeat lives here once: run ids
// are validated before any storage is touched, payloads are checked against the run log format before
// anything is written, ops are built (and copied when the driver keeps them past the call), and what
// the driver did not find becomes RUN_NOT_FOUND with one message.

/** RUN_NOT_FOUND for a run id that cannot exist (the same message from every method and every store). */
export function malformedRunId(runId: string, where: string, problem: string): RunnableError {
  return new RunnableError("RUN_NOT_FOUND", `No run log with id "${runId}" in ${where}: ${problem}`);
}

/** The state of one façade: its driver and whether ops must be copied for it. */
interface Facade {
  readonly driver: RunLogStoreDriver;
  readonly copy: boolean;
}

/** Throws RUN_NOT_FOUND when `runId` is malformed (it names files, folders and objects). */
function checkRunId(facade: Facade, runId: string): void {
  const problem = validateRunId(runId);
  if (problem) throw malformedRunId(runId, facade.driver.where, problem);
}

/** Checks `op` (run id, format) and hands it to the driver: uncopied when it reads ops at once, else a copy. */
async function write(facade: Facade, runId: string, ...ops: RunOp[]): Promise<void> {
  checkRunId(facade, runId);
  for (const op of ops) {
    checkWritable(runId, "op", op);
    if (op.op === "branch" && op.location.length === 0) {
      throw misplacedWrite(runId, `cannot put branch log "${op.payload.internal_name}": its location is empty`);
    }
  }
  await facade.driver.apply(
    runId,
    ops.map((op) => (facade.copy ? cloneJson(op) : op)),
  );
}

/** The ops of `setParameters`: the parameters, and their kinds when given. */
function parameterOps(parameters: Parameters, kinds: ParameterKinds | undefined): RunOp[] {
  const ops: RunOp[] = [{ op: "parameters", location: [], payload: parameters }];
  if (kinds) ops.push({ op: "parameter_kinds", location: [], payload: kinds });
  return ops;
}

async function create(facade: Facade, header: RunHeader): Promise<void> {
  const problem = validateRunId(header.run_id);
  if (problem) throw new RunnableError("INTERNAL", `Cannot create a run log: ${problem}`);
  const run = runFromHeader(header);
  checkWritable(header.run_id, "run", run);
  await facade.driver.create(run);
}

async function exists(facade: Facade, runId: string): Promise<boolean> {
  if (validateRunId(runId) !== undefined) return false;
  const { driver } = facade;
  return driver.exists ? driver.exists(runId) : (await driver.read(runId)) !== undefined;
}

/** Runs `found` on a well-formed id; RUN_NOT_FOUND when the driver answers undefined or false. */
async function found<T>(facade: Facade, runId: string, action: () => Promise<T | undefined | false>): Promise<T> {
  checkRunId(facade, runId);
  const result = await action();
  if (result === undefined || result === false) throw runNotFound(runId, facade.driver.where);
  return result;
}

async function flush(facade: Facade, runId: string): Promise<void> {
  const { driver } = facade;
  await found(facade, runId, async () => (driver.flush ? driver.flush(runId) : exists(facade, runId)));
}

/** The run log store over `driver`: the port every engine, runtime, CLI and UI caller uses. */
export function createRunLogStore(driver: RunLogStoreDriver): RunLogStore {
  const facade: Facade = { driver, copy: driver.readsOpsAtOnce !== true };
  return {
    type: driver.type,
    recordedConfig: driver.recordedConfig,
    traits: driver.traits,
    create: (header) => create(facade, header),
    exists: (runId) => exists(facade, runId),
    get: (runId) => found(facade, runId, () => driver.read(runId)),
    setStatus: (runId, status) => write(facade, runId, { op: "status", location: [], payload: status }),
    setParameters: (runId, parameters, kinds) => write(facade, runId, ...parameterOps(parameters, kinds)),
    setRunConfig: (runId, runConfig) => write(facade, runId, { op: "run_config", location: [], payload: runConfig }),
    putStep: (runId, location, step, seq) => write(facade, runId, stepOp(location, step, seq)),
    putBranch: (runId, location, branch, seq) => write(facade, runId, branchOp(location, branch, seq)),
    setJob: (runId, job) => write(facade, runId, { op: "job", location: [], payload: { ...job, branches: {} } }),
    removeStep: (runId, location, internalName) => write(facade, runId, removeOp(location, internalName)),
    list: (options) => driver.list(options),
    ...(driver.changeToken ? { changeToken: () => driver.changeToken!() } : {}),
    delete: (runId) => found(facade, runId, () => driver.remove(runId)),
    flush: (runId) => flush(facade, runId),
    acquireLease: async (runId, options) => {
      checkRunId(facade, runId);
      return driver.acquireLease(runId, options);
    },
    leaseState: async (runId) => (validateRunId(runId) === undefined ? driver.leaseState(runId) : { state: "none" }),
  };
}
