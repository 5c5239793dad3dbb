import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskNode } from "../../core/graph.js";
import type { StopReason } from "../../core/stop.js";
import type { TaskRunner } from "../../ports/task-runner.js";
import { testInvocation } from "../invocation.js";

/** Tasks of one kind for the contract, written for the runner under test. */
export interface ContractTasks {
  /** Prepares the working folder (writes modules, notebooks, ...). */
  setup?(cwd: string): Promise<void>;
  /** Reads parameter `value` and sets parameter `echoed` to it. */
  echo: TaskNode;
  /** Prints `hello stdout` on stdout and `hello stderr` on stderr, then succeeds. */
  print: TaskNode;
  /** Fails (a non-zero exit, or an exception). */
  fail: TaskNode;
  /** Runs for a long time (30 s or more) unless stopped. */
  sleep: TaskNode;
}

/** A task node of `commandType` running `command`, for contract tasks. */
export function contractTask(name: string, commandType: string, command: string): TaskNode {
  return {
    kind: "task",
    name,
    internalName: name,
    internalBranchName: "",
    next: "success",
    onFailure: "",
    overrides: {},
    task: { command_type: commandType, command },
    catalog: null,
    maxAttempts: 1,
    secrets: [],
  };
}

/**
 * The promises every TaskRunner keeps, as a vitest suite: parameters in and out, both output
 * streams, a failing task is data (never an exception), and a stopped attempt ends promptly.
 */
export function taskRunnerContract(name: string, makeRunner: (cwd: string) => Promise<TaskRunner>, tasks: ContractTasks): void {
  describe(`TaskRunner contract: ${name}`, () => {
    let cwd = "";
    let runner: TaskRunner;
    beforeAll(async () => {
      cwd = await mkdtemp(join(tmpdir(), "runnable-runner-contract-"));
      await tasks.setup?.(cwd);
      runner = await makeRunner(cwd);
    });
    afterAll(async () => {
      await runner?.dispose?.();
      await rm(cwd, { recursive: true, force: true });
    });

    it("serves its command types and accepts its tasks", async () => {
      for (const node of [tasks.echo, tasks.print, tasks.fail, tasks.sleep]) expect(runner.commandTypes).toContain(node.task.command_type);
      expect((await runner.check?.(tasks.echo, cwd)) ?? []).toEqual([]);
    });

    it("reads parameters and hands back what the task set", async () => {
      const outcome = await runner.run(testInvocation({ node: tasks.echo, cwd, parameters: { value: "v-1" } }));
      expect(outcome.failure).toBeUndefined();
      expect(outcome.parameters).toMatchObject({ echoed: "v-1" });
    });

    it("streams both output streams to the attempt's output", async () => {
      let stdout = "";
      let stderr = "";
      const output = {
        write: (stream: "stdout" | "stderr", chunk: string | Uint8Array) =>
          void (stream === "stdout" ? (stdout += chunk.toString()) : (stderr += chunk.toString())),
      };
      const outcome = await runner.run(testInvocation({ node: tasks.print, cwd, output }));
      expect(outcome.failure).toBeUndefined();
      expect(stdout).toContain("hello stdout");
      expect(stderr).toContain("hello stderr");
    });

    it("reports a failing task as a failure, not an exception", async () => {
      const outcome = await runner.run(testInvocation({ node: tasks.fail, cwd }));
      expect(typeof outcome.failure).toBe("string");
      expect(outcome.failure!.length).toBeGreaterThan(0);
    });

    it("ends a stopped attempt promptly", async () => {
      const stop = new AbortController();
      const started = Date.now();
      const running = runner.run(testInvocation({ node: tasks.sleep, cwd, signal: stop.signal, graceMs: 500 }));
      setTimeout(() => stop.abort({ kind: "signal", signal: "SIGTERM" } satisfies StopReason), 300);
      const outcome = await running;
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(outcome).toBeDefined();
    });
  });
}
