import type { TaskInvocation, TaskOutcome } from "../../../ports/task-runner.js";
import { openChannel, type TaskChannel } from "./channel.js";
import { missingInterpreterHint } from "./interpreter.js";
import { storeReturnedObjects } from "./objects.js";
import { outcomeOf } from "./outcome.js";
import type { PythonExit } from "./spawn.js";
import { PythonWorker, type WorkerEnd } from "./worker.js";
import { type WorkerPool, workerKey } from "./worker-pool.js";

/** After a task is done, output still held open by a process it left running is cut after this. */
const OUTPUT_DRAIN_MS = 1_000;

/** Runs one attempt of a python function task on a warm worker of the run (started when none is idle). */
export async function runInWorker(invocation: TaskInvocation, interpreter: string, pool: WorkerPool): Promise<TaskOutcome> {
  const channel = await openChannel(invocation, {});
  try {
    const end = await runOnWorker(invocation, channel, interpreter, pool);
    if ("missing" in end) {
      return { failure: `Python interpreter "${interpreter}" not found: ${missingInterpreterHint("RUNNABLE_PYTHON")}`, parameters: {}, metrics: [] };
    }
    const code = "code" in end ? end.code : 0;
    const outputs = await channel.read("kind" in end && end.kind === "done" ? end.reported : undefined);
    const outcome = outcomeOf(outputs, channel.env, { code, what: "the Python task" });
    if ("error" in end && end.error && outcome.failure === undefined)
      return { ...outcome, failure: `the Python worker could not run the task: ${end.error}`, parameters: {} };
    return storeReturnedObjects(invocation, channel.dir, outputs.result, outcome);
  } finally {
    await channel.close();
  }
}

/**
 * Runs the task on an idle worker or a new one. A reused worker that died before taking the task
 * (it had been killed meanwhile) is replaced once; a worker whose task was stopped is never reused.
 */
async function runOnWorker(invocation: TaskInvocation, channel: TaskChannel, interpreter: string, pool: WorkerPool): Promise<WorkerEnd | PythonExit> {
  const key = workerKey(interpreter, invocation.cwd, channel.env);
  for (let attempt = 0; ; attempt++) {
    const reused = attempt === 0 ? pool.take(key) : undefined;
    let worker = reused;
    if (!worker) {
      const started = await PythonWorker.start(invocation, pool.executableFor(interpreter), channel.env);
      if (!("worker" in started)) return started;
      worker = started.worker;
      pool.add(interpreter, worker);
    }
    const end = await worker.run({ channel: channel.dir, cwd: invocation.cwd, env: channel.env }, invocation.signal);
    if (end.kind === "done") {
      await channel.outputEnded(end.streams, OUTPUT_DRAIN_MS);
      pool.give(key, worker);
      return end;
    }
    pool.drop(worker);
    // It died with the task: what it wrote before is still on its way (its two streams end with it).
    if (end.started) await channel.outputEnded(2, OUTPUT_DRAIN_MS);
    if (!(reused && !end.started && !invocation.signal.aborted)) return end;
  }
}
