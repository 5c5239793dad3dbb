// Issue 19, item 7: a process a task starts in a session of its own (`setsid`) leaves the task's
// process group, so stopping the group does not reach it. Every task process carries the run's cookie
// in its environment; what still runs with it when its attempt or its run ends — or when the CLI is
// killed (the watchdog) — is ended. The probe's "leftover processes" section, re-run.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { processesWith, startCli, until } from "./helpers/processes.js";

let dir = "";
let marker = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-cookie-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
/** Each case's sleeper has its own duration, so leftovers are told apart (and cleaned up whatever happens). */
const sleeper = (): string => `1000.${++marker}${process.pid}`;
const leftovers: string[] = [];
afterEach(() => {
  for (const mark of leftovers.splice(0)) for (const pid of processesWith(`sleep ${mark}`)) process.kill(pid, "SIGKILL");
});

const PYTHON = (() => {
  try {
    execFileSync("python3", ["-c", "pass"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const shell = (command: string) =>
  `dag:\n  start_at: a\n  steps:\n    a: {type: task, command_type: shell, command: ${JSON.stringify(command)}, next: b}\n    b: {type: task, command_type: shell, command: "true", next: success}\n`;

describe("no process a task starts outlives its run, setsid included", () => {
  it("a setsid grandchild of a step that ends normally is gone when the attempt ends (before the next step), exit 0", async () => {
    const mark = sleeper();
    leftovers.push(mark);
    await writeFile(
      join(dir, "normal.yaml"),
      shell(`setsid sh -c 'sleep ${mark}' > /dev/null 2>&1 < /dev/null & sleep 0.3`).replace(
        'command: "true"',
        `command: ${JSON.stringify(`n=$(pgrep -f 'slee[p] ${mark}' | wc -l); echo "left $n"; test "$n" = 0`)}`,
      ),
    );
    const result = await runCli(["execute", "-f", "normal.yaml"], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("left 0");
    expect(processesWith(`sleep ${mark}`)).toEqual([]);
  });

  it.each(["SIGINT", "SIGTERM", "SIGKILL"] as const)(
    "%s of the CLI while the step runs leaves no setsid grandchild",
    async (signal) => {
      const mark = sleeper();
      leftovers.push(mark);
      const started = join(dir, `started-${signal}`);
      await writeFile(join(dir, `${signal}.yaml`), shell(`setsid sh -c 'sleep ${mark}' > /dev/null 2>&1 < /dev/null & touch ${started}; sleep 30`));
      const cli = startCli(["execute", "-f", `${signal}.yaml`], { cwd: dir });
      await until(() => existsSync(started) && processesWith(`sleep ${mark}`).length > 0, 20_000, "the grandchild to start");
      cli.signal(signal);
      await cli.exited;
      // After SIGKILL the watchdog does it: TERM, 2 s, then KILL.
      await until(() => processesWith(`sleep ${mark}`).length === 0, signal === "SIGKILL" ? 10_000 : 3_000, `the setsid grandchild to be gone after ${signal}`);
    },
    40_000,
  );

  it("a grandchild that ignores SIGTERM is killed too", async () => {
    const mark = sleeper();
    leftovers.push(mark);
    await writeFile(join(dir, "stubborn.yaml"), shell(`setsid sh -c 'trap "" TERM; sleep ${mark}' > /dev/null 2>&1 < /dev/null & sleep 0.3`));
    const result = await runCli(["execute", "-f", "stubborn.yaml"], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    await until(() => processesWith(`sleep ${mark}`).length === 0, 3_000, "the stubborn grandchild to be gone");
  });

  it.skipIf(!PYTHON)("a Python task's setsid child is gone when its attempt ends; the warm worker lives on for the next step", async () => {
    const mark = sleeper();
    leftovers.push(mark);
    await writeFile(
      join(dir, "pk.py"),
      `import os, subprocess\ndef spawn():\n    subprocess.Popen(["setsid", "sleep", "${mark}"])\n    return {"worker": os.getpid()}\ndef same(worker):\n    print("same worker", worker == os.getpid())\n`,
    );
    await writeFile(
      join(dir, "py.yaml"),
      "dag:\n  start_at: a\n  steps:\n    a: {type: task, command: pk.spawn, next: b}\n    b: {type: task, command: pk.same, next: success}\n",
    );
    const result = await runCli(["execute", "-f", "py.yaml"], { cwd: dir, env: { PYTHONPATH: dir } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("same worker True");
    expect(processesWith(`sleep ${mark}`)).toEqual([]);
  });
});
