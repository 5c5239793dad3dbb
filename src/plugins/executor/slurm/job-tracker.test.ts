import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RemoteStepResult } from "../../../ports/executor.js";
import { exitOf, type JobRecord, lostJobProblem, parseSqueue, slurmEnding } from "./job-state.js";
import { cancelJob, createTracker, type JobWaiter, look, resultOf, stopTracking, track } from "./job-tracker.js";
import type { CommandResult, SlurmCommands } from "./slurm-commands.js";

const record = (fields: Partial<JobRecord>): JobRecord => ({ jobId: "12", state: "COMPLETED", reason: "None", waitStatus: 0, ...fields });

describe("squeue's view of a job", () => {
  it("parses one line per job or array task, skipping what is not one", () => {
    const text = "12|COMPLETED|None|0|\n13_0|FAILED|NonZeroExitCode|768|\n13_1|PENDING|Resources|0|\nslurm_load_jobs error\n14|CANCELLED by 0|None|15|\n";
    expect(parseSqueue(text)).toEqual([
      { jobId: "12", state: "COMPLETED", reason: "None", waitStatus: 0 },
      { jobId: "13", task: 0, state: "FAILED", reason: "NonZeroExitCode", waitStatus: 768 },
      { jobId: "13", task: 1, state: "PENDING", reason: "Resources", waitStatus: 0 },
      { jobId: "14", state: "CANCELLED", reason: "None", waitStatus: 15 },
    ]);
  });

  it("reads exit codes and signals from the raw wait status", () => {
    expect(exitOf(768)).toEqual({ code: 3, signal: 0 });
    expect(exitOf(15)).toEqual({ code: 0, signal: 15 });
    expect(exitOf(36608)).toEqual({ code: 143, signal: 0 });
  });

  it("says how Slurm ended a job, in the words a step's attempt records", () => {
    expect(slurmEnding(record({ state: "TIMEOUT", reason: "TimeLimit", waitStatus: 15 }), { timeMinutes: 1 })).toBe(
      "Slurm job 12 TIMEOUT: killed at its time limit of 1 minute (--time=1)",
    );
    expect(slurmEnding(record({ state: "OUT_OF_MEMORY", task: 4 }), { mem: "2G" })).toBe(
      "Slurm job 12_4 OUT_OF_MEMORY: killed for using more memory than it asked for (--mem=2G)",
    );
    expect(slurmEnding(record({ state: "PREEMPTED" }), {})).toBe("Slurm job 12 PREEMPTED: preempted by a job of higher priority");
    expect(slurmEnding(record({ state: "NODE_FAIL", reason: "NodeDown" }), {})).toBe("Slurm job 12 NODE_FAIL: the node running it failed (NodeDown)");
    expect(slurmEnding(record({ state: "CANCELLED" }), {})).toBe("Slurm job 12 CANCELLED: cancelled outside this run (scancel, or an administrator)");
    expect(slurmEnding(record({ state: "FAILED", waitStatus: 256 }), {})).toBeUndefined();
    expect(slurmEnding(record({}), {})).toBeUndefined();
  });

  it("explains a job whose step never recorded itself, with the end of its error output", () => {
    expect(lostJobProblem(record({ state: "FAILED", reason: "NonZeroExitCode", waitStatus: 127 << 8 }), "line 1\nnode: not found\n")).toBe(
      "Slurm job 12 ended FAILED (exit code 127) before the step recorded its result: line 1 | node: not found",
    );
    expect(lostJobProblem(record({ state: "FAILED", waitStatus: 9 }), "")).toBe(
      "Slurm job 12 ended FAILED (killed by signal 9) before the step recorded its result",
    );
  });

  it("gives each waiting step an exit code: 0 for the items of an array task that exited 1 (their records tell)", () => {
    expect(resultOf(record({}), {}, false, "").exitCode).toBe(0);
    expect(resultOf(record({ state: "FAILED", waitStatus: 256 }), {}, false, "").exitCode).toBe(1);
    expect(resultOf(record({ state: "FAILED", waitStatus: 256 }), {}, true, "").exitCode).toBe(0);
    expect(resultOf(record({ state: "FAILED", waitStatus: 512 }), {}, true, "").exitCode).toBe(2);
    const timeout = resultOf(record({ state: "TIMEOUT", waitStatus: 15 }), { timeMinutes: 2 }, false, "");
    expect(timeout).toMatchObject({ exitCode: 143, ending: "Slurm job 12 TIMEOUT: killed at its time limit of 2 minutes (--time=2)" });
  });
});

/** A fake squeue/scancel: answers looks from a script of states per job; records what was cancelled. */
function fakeSlurm(states: Record<string, string[]>) {
  const calls: string[][] = [];
  const cancelled: string[] = [];
  const slurm: SlurmCommands = {
    async run(command, args): Promise<CommandResult> {
      calls.push([command, ...args]);
      if (command === "scancel") {
        cancelled.push(...args);
        for (const id of args) {
          const last = states[id]?.at(-1) ?? "CANCELLED";
          states[id] = [
            last
              .split(",")
              .map((task) => (task === "RUNNING" || task === "PENDING" ? "CANCELLED" : task))
              .join(","),
          ];
        }
        return { code: 0, stdout: "", stderr: "" };
      }
      const ids = args
        .find((arg) => arg.startsWith("--jobs="))!
        .slice(7)
        .split(",");
      const lines = ids.flatMap((id) => {
        const script = states[id];
        if (!script) return [];
        const state = script.length > 1 ? script.shift()! : script[0]!;
        return state.split(",").map((task, index, all) => `${all.length > 1 ? `${id}_${index}` : id}|${task}|None|${task === "FAILED" ? 256 : 0}|`);
      });
      return { code: 0, stdout: lines.join("\n"), stderr: "" };
    },
  };
  return { slurm, calls, cancelled };
}

describe("the run's jobs, watched with one squeue per look", () => {
  let dir: string;
  beforeEach(async () => void (dir = await mkdtemp(join(tmpdir(), "slurm-tracker-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const waiter = (results: RemoteStepResult[], output: string[] = [], chunked = false): JobWaiter => ({
    chunked,
    resolve: (result) => results.push(result),
    output: { write: (stream, chunk) => output.push(`${stream}:${chunk.toString()}`) },
  });

  it("tells the steps of a job when it ends, passing its output on as it grows", async () => {
    const { slurm, calls } = fakeSlurm({ "7": ["PENDING", "RUNNING", "RUNNING", "COMPLETED"] });
    const tracker = createTracker(slurm, { minMs: 10, maxMs: 40, warn: () => undefined, timed: false });
    const results: RemoteStepResult[] = [];
    const output: string[] = [];
    const stdout = join(dir, "s.out");
    await writeFile(stdout, "");
    track(tracker, { jobId: "7", request: {}, tasks: [{ task: -1, waiters: [waiter(results, output)], stdout, stderr: join(dir, "s.err") }] });
    await look(tracker); // PENDING
    await appendFile(stdout, "hello\npart");
    await look(tracker); // RUNNING: the whole line only
    expect(output).toEqual(["stdout:hello\n"]);
    await appendFile(stdout, "ial\n");
    await look(tracker); // RUNNING
    await look(tracker); // COMPLETED
    stopTracking(tracker);
    expect(output).toEqual(["stdout:hello\n", "stdout:partial\n"]);
    expect(results).toEqual([{ exitCode: 0, problem: "Slurm job 7 ended COMPLETED (exit code 0) before the step recorded its result" }]);
    expect(calls.every((call) => call[0] === "squeue" && call.includes("--jobs=7"))).toBe(true);
    expect(tracker.jobs.size).toBe(0);
  });

  it("looks 50 ms apart after a change and backs off to the poll interval while nothing changes", async () => {
    const { slurm } = fakeSlurm({ "8": ["RUNNING"] });
    const tracker = createTracker(slurm, { minMs: 50, maxMs: 200, warn: () => undefined, timed: false });
    track(tracker, { jobId: "8", request: {}, tasks: [{ task: -1, waiters: [], stdout: join(dir, "x"), stderr: join(dir, "y") }] });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await look(tracker);
      delays.push(tracker.delayMs);
    }
    stopTracking(tracker);
    expect(delays).toEqual([50, 75, 112.5, 168.75, 200, 200]);
  });

  it("ends each array task's items on their own, with one cancellation for the whole job when the run stops", async () => {
    const { slurm, cancelled } = fakeSlurm({ "9": ["RUNNING,PENDING", "FAILED,RUNNING", "FAILED,RUNNING"] });
    const tracker = createTracker(slurm, { minMs: 10, maxMs: 10, warn: () => undefined, timed: false });
    const first: RemoteStepResult[] = [];
    const second: RemoteStepResult[] = [];
    const task = (index: number, results: RemoteStepResult[]) => ({
      task: index,
      waiters: [waiter(results, [], true), waiter(results, [], true)],
      stdout: join(dir, `${index}.out`),
      stderr: join(dir, `${index}.err`),
    });
    track(tracker, { jobId: "9", request: {}, tasks: [task(0, first), task(1, second)] });
    await look(tracker);
    await look(tracker);
    // Task 0 exited 1 (an item failed): each item's record decides, so both get exit code 0.
    expect(first.map((result) => result.exitCode)).toEqual([0, 0]);
    expect(second).toEqual([]);
    cancelJob(tracker, "9");
    cancelJob(tracker, "9");
    await new Promise((resolve) => setImmediate(resolve));
    expect(cancelled).toEqual(["9"]);
    await look(tracker);
    stopTracking(tracker);
    expect(second.map((result) => result.ending)).toEqual([
      "Slurm job 9_1 CANCELLED: cancelled outside this run (scancel, or an administrator)",
      "Slurm job 9_1 CANCELLED: cancelled outside this run (scancel, or an administrator)",
    ]);
  });

  it("gives up on a job Slurm no longer lists, once it is past its first seconds", async () => {
    const { slurm } = fakeSlurm({});
    const tracker = createTracker(slurm, { minMs: 10, maxMs: 10, warn: () => undefined, timed: false });
    let now = 0;
    tracker.now = () => now;
    const results: RemoteStepResult[] = [];
    track(tracker, { jobId: "10", request: {}, tasks: [{ task: -1, waiters: [waiter(results)], stdout: join(dir, "x"), stderr: join(dir, "y") }] });
    for (let i = 0; i < 6; i++) await look(tracker);
    expect(results).toEqual([]);
    now = 11_000;
    await look(tracker);
    stopTracking(tracker);
    expect(results[0]?.problem).toMatch(/^Slurm job 10 is no longer known to Slurm/);
  });
});
