import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { StopReason } from "../../../core/stop.js";
import { pythonTaskPlugin } from "./index.js";
import { invocation, project, taskNode } from "./test-support.fixture.js";
import { processAlive as alive } from "../../../io/process-alive.js";

// The warm worker: one interpreter runs the run's python tasks, each as if it had a process of its own.
const TASKS = [
  "import os, sys, subprocess, time",
  "from runnable import track_this, set_parameter, get_parameter, get_secret, put_in_catalog",
  "def first(x):",
  "    set_parameter(only_first=1)",
  "    track_this(first_metric=1)",
  "    os.environ['LEFT_BEHIND'] = 'yes'",
  "    print('out of first', x)",
  "    print('err of first', file=sys.stderr)",
  "    subprocess.run(['sh', '-c', 'echo child of first; echo child err >&2'])",
  "    os.write(1, b'raw fd write\\n')",
  "    return {'pid': os.getpid()}",
  "def second(x):",
  "    assert 'only_first' not in get_parameter(), get_parameter()",
  "    assert os.environ.get('LEFT_BEHIND') is None",
  "    assert os.environ['MARK'] == str(x), os.environ.get('MARK')",
  "    track_this(second_metric=2)",
  "    print('out of second', x, get_secret('token'), put_in_catalog('a.csv')[0]['stage'])",
  "    return {'pid': os.getpid(), 'seen': get_parameter('x')}",
  "def pid():",
  "    return {'pid': os.getpid()}",
  "def boom():",
  "    raise RuntimeError('contained')",
  "def crash():",
  "    print('about to crash', flush=True)",
  "    os._exit(3)",
  "def hang():",
  "    time.sleep(60)",
  "def replace_stdout():",
  "    import io",
  "    sys.stdout = io.StringIO()",
  "    print('swallowed')",
  "def leave_child():",
  "    child = subprocess.Popen(['sleep', '30'])",
  "    print('left', flush=True)",
  "    return {'child': child.pid}",
  "def slow(n):",
  "    time.sleep(0.3)",
  "    return {'pid': os.getpid(), 'n': n}",
].join("\n");

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(config = {}) {
  const made = await project({ "wtasks.py": `${TASKS}\n` }, config);
  cleanups.push(made.cleanup);
  const run = async (command: string, parameters: Record<string, unknown> = {}, signal?: AbortSignal, scratch?: string) => {
    const made2 = invocation(made.dir, taskNode(`wtasks.${command}`), parameters, { env: { MARK: String(parameters["x"] ?? "") } });
    const inv = { ...made2.invocation, ...(signal ? { signal } : {}), ...(scratch ? { scratchDir: async () => scratch } : {}) };
    const outcome = await made.runner.run(inv);
    return { outcome, recorded: made2.recorded, pid: outcome.parameters["pid"] as number | undefined };
  };
  return { ...made, run };
}

describe("python task runner: the warm worker", () => {
  it("reuses one interpreter with fresh parameters, environment, API state, metrics and output per task", async () => {
    const { run } = await setup();
    const one = await run("first", { x: 1 });
    expect(one.outcome.failure, one.recorded.stderr).toBeUndefined();
    expect(one.outcome.parameters).toMatchObject({ only_first: 1 });
    expect([...one.outcome.metrics].map((m) => m.key)).toEqual(["first_metric"]);
    expect(one.recorded.stdout).toContain("out of first 1\n");
    expect(one.recorded.stdout).toContain("child of first\n");
    expect(one.recorded.stdout).toContain("raw fd write\n");
    expect(one.recorded.stderr).toContain("err of first\n");
    expect(one.recorded.stderr).toContain("child err\n");

    const two = await run("second", { x: 2 });
    expect(two.outcome.failure, two.recorded.stderr).toBeUndefined();
    expect(two.pid).toBe(one.pid);
    expect(two.outcome.parameters).toMatchObject({ seen: 2 });
    expect([...two.outcome.metrics].map((m) => m.key)).toEqual(["second_metric"]);
    expect(two.recorded.stdout).toBe("out of second 2 s3cret put\n");
    expect(two.recorded.stderr).toBe("");
  });

  it("reads each task's own context when its channel folder is one an earlier task had (folders are reused)", async () => {
    const { run, dir } = await setup();
    const folder = await mkdtemp(join(dir, "scratch-"));
    const one = await run("pid", {}, undefined, folder);
    for (const name of await readdir(folder)) await rm(join(folder, name), { force: true });
    const two = await run("second", { x: 5 }, undefined, folder);
    expect(two.outcome.failure, two.recorded.stderr).toBeUndefined();
    expect(two.pid).toBe(one.pid);
    expect(two.outcome.parameters).toMatchObject({ seen: 5 });
  });

  it("kills processes a task left running when it returns, as the end of its own process would", async () => {
    const { run } = await setup();
    const started = Date.now();
    const left = await run("leave_child");
    expect(left.outcome.failure, left.recorded.stderr).toBeUndefined();
    expect(left.recorded.stdout).toBe("left\n");
    expect(Date.now() - started).toBeLessThan(3_000);
    const child = left.outcome.parameters["child"] as number;
    await new Promise((done) => setTimeout(done, 200));
    const state = await readFile(`/proc/${child}/stat`, "utf8").catch(() => "gone");
    expect(state === "gone" || / Z /.test(state)).toBe(true);
  });

  it("contains exceptions and undoes a replaced sys.stdout", async () => {
    const { run } = await setup();
    const failed = await run("boom");
    expect(failed.outcome.failure).toBe("RuntimeError: contained");
    expect(failed.recorded.stderr).toContain("RuntimeError: contained");
    await run("replace_stdout");
    const after = await run("second", { x: 3 });
    expect(after.outcome.failure, after.recorded.stderr).toBeUndefined();
    expect(after.recorded.stdout).toContain("out of second 3");
  });

  it("replaces a worker that crashed, one that was stopped and one killed while idle", async () => {
    const { run } = await setup();
    const before = (await run("pid")).pid!;
    const crashed = await run("crash");
    expect(crashed.outcome.failure).toMatch(/the Python task exited with code 3/);
    expect(crashed.recorded.stdout).toContain("about to crash");
    const next = (await run("pid")).pid!;
    expect(next).not.toBe(before);

    const stop = new AbortController();
    setTimeout(() => stop.abort({ kind: "signal", signal: "SIGTERM" } satisfies StopReason), 300);
    const started = Date.now();
    const stopped = await run("hang", {}, stop.signal);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stopped.outcome.failure).toBeDefined();
    const afterStop = (await run("pid")).pid!;
    expect(afterStop).not.toBe(next);
    expect(alive(next)).toBe(false);

    process.kill(-afterStop, "SIGKILL"); // the next task takes it before its exit is seen, or after
    const replaced = await run("pid");
    expect(replaced.outcome.failure).toBeUndefined();
    expect(replaced.pid).not.toBe(afterStop);
  });

  it("gives concurrent tasks separate workers and ends them all on dispose", async () => {
    const { run, runner } = await setup();
    const results = await Promise.all([1, 2, 3].map((n) => run("slow", { n })));
    expect(results.map((r) => r.outcome.parameters["n"])).toEqual([1, 2, 3]);
    const pids = new Set(results.map((r) => r.pid!));
    expect(pids.size).toBe(3);
    const again = await run("pid");
    expect(pids.has(again.pid!)).toBe(true);
    await runner.dispose!();
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it("starts an interpreter per attempt with warm_worker: false (task_runners: {python: {warm_worker: false}})", async () => {
    expect(pythonTaskPlugin.configSchema.parse({ warm_worker: false })).toEqual({ warm_worker: false });
    const { run } = await setup({ warm_worker: false });
    const [a, b] = [await run("pid"), await run("pid")];
    expect(a.pid).toBeDefined();
    expect(a.pid).not.toBe(b.pid);
  });
});
