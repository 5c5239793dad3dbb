import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, contractErrors, readRunLog, scratchDir } from "./helpers/cli.js";
import { processesWith, startCli, until } from "./helpers/processes.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

const EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
/** The CLI's grace period is 3 s: a stopped run ends well within this (start-up and records included). */
const WITHIN_MS = 3_000;
let counter = 0;
/** A sleep whose command line no other test uses, to find leftover processes by. */
const uniqueSleep = () => `sleep 30.${String(++counter).padStart(3, "0")}${process.pid % 1000}`;

async function writePipeline(name: string, steps: string): Promise<string> {
  const file = `${name}.yaml`;
  await writeFile(
    join(dir, file),
    `dag:\n  start_at: work\n  steps:\n${steps}    after:\n      type: stub\n      next: success\n    success:\n      type: success\n    fail:\n      type: fail\n`,
  );
  return file;
}

const shellStep = (command: string) => `    work:\n      type: task\n      command_type: shell\n      command: ${JSON.stringify(command)}\n      next: after\n`;

/** Starts a run, waits for its task to be running, stops it and returns the exit and the run log. */
async function stopRun(file: string, runId: string, signal: keyof typeof EXIT_CODES, options: { group?: boolean; marker?: string; ready?: string } = {}) {
  const cli = startCli(["execute", "-f", file, "--run-id", runId], { cwd: dir, group: options.group ?? false });
  await until(() => cli.output().includes(options.ready ?? "start   work"), 30_000, "the task to start");
  if (options.marker) await until(() => processesWith(options.marker!).length > 0, 10_000, "the task's process");
  await new Promise((resolve) => setTimeout(resolve, 150));
  cli.signal(signal, { group: options.group ?? false });
  const exit = await cli.exited;
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { exit, log: await readRunLog(dir, runId), left: options.marker ? processesWith(options.marker) : [] };
}

describe("stopping a run with a signal", () => {
  // Each signal once, as it usually comes: Ctrl-C (SIGINT to the foreground process group), `kill`
  // (SIGTERM to the pid), a closed terminal (SIGHUP to the group). What the run log records for each
  // signal is tested on the engine harness (tests/engine-stop.test.ts).
  const cases = [
    ["SIGINT", true],
    ["SIGTERM", false],
    ["SIGHUP", true],
  ] as const;
  for (const [signal, group] of cases) {
    it(`${signal} to the ${group ? "process group" : "CLI's pid"}: a shell task and its children stop, the attempt says why, the run is FAIL`, async () => {
      const sleep = uniqueSleep();
      const file = await writePipeline(`shell-${signal}-${group}`, shellStep(`echo started; ${sleep} & ${uniqueSleep()}; wait`));
      const runId = `shell-${signal.toLowerCase()}-${group ? "group" : "pid"}`;
      const { exit, log, left } = await stopRun(file, runId, signal, { group, marker: sleep });
      expect(exit.code).toBe(EXIT_CODES[signal]);
      expect(exit.ms).toBeLessThan(WITHIN_MS);
      expect(left).toEqual([]);
      expect(log.status).toBe("FAIL");
      expect(Object.keys(log.steps)).toEqual(["work"]);
      expect(log.steps.work.status).toBe("FAIL");
      expect(log.steps.work.attempts).toHaveLength(1);
      expect(log.steps.work.attempts[0].message).toBe(`interrupted by ${signal}: the run was stopped while this step was running`);
      expect(log.steps.work.data_catalog.map((entry: { name: string }) => entry.name)).toEqual(["work.execution.log"]);
      expect(await contractErrors(log)).toEqual([]);
      expect(exit.stdout).not.toContain("Could not start /bin/sh");
    });
  }

  it("stops a Python task (SIGINT reaches the interpreter as KeyboardInterrupt)", async () => {
    await writeFile(join(dir, "slowpy.py"), "import time\n\ndef wait():\n    print('waiting', flush=True)\n    time.sleep(30.5)\n");
    const file = await writePipeline("python", `    work:\n      type: task\n      command_type: python\n      command: slowpy.wait\n      next: after\n`);
    const { exit, log } = await stopRun(file, "python-int", "SIGINT", { ready: "waiting" });
    expect(exit.code).toBe(130);
    expect(exit.ms).toBeLessThan(WITHIN_MS);
    expect(processesWith("slowpy")).toEqual([]);
    expect(log.steps.work.attempts[0].message).toContain("interrupted by SIGINT");
  });

  it("gives a TypeScript task its abort signal, and gives up on one that ignores it after the grace period", async () => {
    const tasks = [
      `import { getAbortSignal } from "${REPO}/dist/index.js";`,
      "export async function polite() { console.log('polite waiting'); await new Promise((resolve) => getAbortSignal().addEventListener('abort', resolve)); return { stopped: getAbortSignal().aborted }; }",
      "export async function stubborn() { console.log('stubborn waiting'); await new Promise((resolve) => setTimeout(resolve, 30_000)); }",
    ].join("\n");
    await writeFile(join(dir, "stoppable.ts"), tasks);
    const politeFile = await writePipeline(
      "ts-polite",
      `    work:\n      type: task\n      command_type: typescript\n      command: stoppable.ts#polite\n      next: after\n`,
    );
    const polite = await stopRun(politeFile, "ts-polite", "SIGTERM", { ready: "polite waiting" });
    expect(polite.exit.code).toBe(143);
    expect(polite.exit.ms).toBeLessThan(1_500);
    expect(polite.log.steps.work.attempts[0].message).toContain("interrupted by SIGTERM");
    const stubbornFile = await writePipeline(
      "ts-stubborn",
      `    work:\n      type: task\n      command_type: typescript\n      command: stoppable.ts#stubborn\n      next: after\n`,
    );
    const stubborn = await stopRun(stubbornFile, "ts-stubborn", "SIGINT", { ready: "stubborn waiting" });
    expect(stubborn.exit.code).toBe(130);
    expect(stubborn.exit.ms).toBeGreaterThan(2_500);
    expect(stubborn.exit.ms).toBeLessThan(WITHIN_MS + 1_500);
    expect(stubborn.log.steps.work.attempts[0].message).toContain("interrupted by SIGINT");
  });

  it("a second signal kills at once a task that ignores the first, and still leaves a readable log", async () => {
    const sleep = uniqueSleep();
    const file = await writePipeline("stubborn-shell", shellStep(`trap '' INT TERM HUP; echo started; ${sleep}`));
    const cli = startCli(["execute", "-f", file, "--run-id", "twice"], { cwd: dir });
    await until(() => processesWith(sleep).length > 0, 30_000, "the task to start");
    cli.signal("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(processesWith(sleep).length).toBe(1);
    cli.signal("SIGINT");
    const exit = await cli.exited;
    expect(exit.code).toBe(130);
    expect(exit.ms).toBeLessThan(1_800);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(processesWith(sleep)).toEqual([]);
    const log = await readRunLog(dir, "twice");
    expect(log.status).toBe("FAIL");
    expect(log.steps.work.attempts[0].message).toContain("interrupted by SIGINT");
    expect(exit.stderr).toContain("received again: killing running steps now");
  });

  it("a killed CLI (SIGKILL) leaves no task process behind: the watchdog stops them", async () => {
    const sleep = uniqueSleep();
    const file = await writePipeline("killed", shellStep(`${sleep} & ${uniqueSleep()}; wait`));
    const cli = startCli(["execute", "-f", file, "--run-id", "killed-1"], { cwd: dir });
    await until(() => processesWith(sleep).length > 0, 30_000, "the task to start");
    cli.signal("SIGKILL");
    await cli.exited;
    await until(() => processesWith(sleep).length === 0, 5_000, "the task processes to be gone");
    expect((await readRunLog(dir, "killed-1")).status).toBe("PROCESSING");
  });
});
