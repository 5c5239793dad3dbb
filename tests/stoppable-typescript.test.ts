// Issue 19, item 2: TypeScript tasks run in warm worker threads, so signals and time limits reach
// them whatever they do — a synchronous loop that never yields included — while the in-task API and
// the warm start stay. The probe's "signals and time limits" section for TypeScript, re-run.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, readRunLog, runCli } from "./helpers/cli.js";
import { startCli, until } from "./helpers/processes.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-stoppable-"));
  await mkdir(join(dir, "node_modules"));
  await symlink(REPO, join(dir, "node_modules", "runnable-ts"));
  await writeFile(join(dir, "package.json"), '{"type":"module"}');
  await writeFile(
    join(dir, "tasks.ts"),
    [
      'import { writeFileSync } from "node:fs";',
      'import { getAbortSignal, getFromCatalog, getParameter, getRunLog, getSecret, putInCatalog, setParameter, track } from "runnable-ts";',
      "let calls = 0;",
      "/** A synchronous loop that never yields, for a minute. */",
      'export function spin() { writeFileSync("spinning", ""); const end = Date.now() + 60_000; while (Date.now() < end) {} }',
      "export async function api({ x }: { x: number }) {",
      "  calls++;",
      '  console.log("console", x, calls); process.stdout.write("raw stdout\\n"); console.error("to stderr");',
      "  track({ loss: 0.5 }); setParameter({ doubled: x * 2 });",
      '  writeFileSync("data.txt", "payload"); await putInCatalog("data.txt");',
      '  const secret = await getSecret("TOKEN"); console.log("secret", secret);',
      "  const log = await getRunLog();",
      '  return { run: log.run_id, read: getParameter<number>("x"), calls };',
      "}",
      'export async function again() { calls++; const got = await getFromCatalog("data.txt"); return { calls_again: calls, got: got.length }; }',
      'export function patient() { return new Promise((resolve) => { const timer = setTimeout(resolve, 60_000); getAbortSignal().addEventListener("abort", () => { clearTimeout(timer); resolve({ aborted: true }); }); }); }',
      "export function exits() { process.exit(3); }",
      'import { threadId } from "node:worker_threads";',
      "export async function item({ x }: { x: number }) { const start = Date.now(); await new Promise((r) => setTimeout(r, 400)); writeFileSync(`item-${x}.json`, JSON.stringify({ threadId, start, end: Date.now() })); }",
      'export function throwsLater() { return new Promise(() => setTimeout(() => { throw new Error("thrown from a timer"); }, 10)); }',
    ].join("\n"),
  );
  await writeFile(join(dir, ".env"), "TOKEN=Zq7TokenValue42\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const task = (name: string, command: string, next = "success") => `    ${name}: {type: task, command_type: typescript, command: "${command}", next: ${next}}\n`;
const pipelineOf = (...steps: string[]) => `dag:\n  start_at: ${/^\s+(\w+):/.exec(steps[0]!)![1]}\n  steps:\n${steps.join("")}`;

describe("a synchronous TypeScript loop that never yields is stopped", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "by %s: exit %i within the grace period, the attempt recorded as interrupted",
    async (signal, code) => {
      const runId = `spin-${signal}`;
      await rm(join(dir, "spinning"), { force: true });
      await writeFile(join(dir, "spin.yaml"), pipelineOf(task("s", "tasks.ts#spin")));
      const cli = startCli(["execute", "-f", "spin.yaml", "--run-id", runId], { cwd: dir });
      await until(() => existsSync(join(dir, "spinning")), 30_000, "the loop to start");
      cli.signal(signal);
      const exited = await cli.exited;
      expect(exited.code, exited.stderr).toBe(code);
      expect(exited.ms).toBeLessThan(8_000);
      const log = await readRunLog(dir, runId);
      expect(log.status).toBe("FAIL");
      expect(log.steps.s.attempts[0].message).toBe(`interrupted by ${signal}: the run was stopped while this step was running`);
    },
    60_000,
  );

  it("by a second Ctrl-C at once", async () => {
    await rm(join(dir, "spinning"), { force: true });
    await writeFile(join(dir, "spin.yaml"), pipelineOf(task("s", "tasks.ts#spin")));
    const cli = startCli(["execute", "-f", "spin.yaml", "--run-id", "spin-twice"], { cwd: dir });
    await until(() => existsSync(join(dir, "spinning")), 30_000, "the loop to start");
    cli.signal("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 300));
    cli.signal("SIGINT");
    const exited = await cli.exited;
    expect(exited.code).toBe(130);
    expect(exited.ms).toBeLessThan(3_000);
    expect((await readRunLog(dir, "spin-twice")).status).toBe("FAIL");
  }, 60_000);

  it.each([
    ["a module task (YAML)", "spin.yaml", pipelineOf(task("s", "tasks.ts#spin"))],
    [
      "a function given in a pipeline module (runnable execute -f p.ts)",
      "p.ts",
      'import { pipeline, typescript } from "runnable-ts";\nexport default pipeline({ steps: [typescript({ name: "s", function: () => { const end = Date.now() + 60_000; while (Date.now() < end) {} } })] });\n',
    ],
  ])(
    "by a 2-second time limit: %s fails after ~2 s + the grace period, not SUCCESS after 60 s",
    async (_label, file, text) => {
      await writeFile(join(dir, file), text);
      await writeFile(join(dir, "limit.yaml"), "executor:\n  type: local\n  config:\n    max_step_duration_in_seconds: 2\n");
      const runId = `limited-${file.replace(/\W/g, "")}`;
      const started = Date.now();
      const result = await runCli(["execute", "-f", file, "-c", "limit.yaml", "--run-id", runId], { cwd: dir });
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(Date.now() - started).toBeLessThan(20_000);
      const log = await readRunLog(dir, runId);
      expect(log.steps.s.status).toBe("FAIL");
      expect(log.steps.s.attempts[0].message).toBe("stopped after exceeding its time limit of 2 seconds (max_step_duration_in_seconds)");
    },
    60_000,
  );
});

describe("the in-task API and the warm start in worker threads", () => {
  it("parameters, metrics, console and stdout, secrets (masked), catalog, the run log; modules stay loaded between steps", async () => {
    await writeFile(join(dir, "c.yaml"), "secrets:\n  type: dotenv\n  config:\n    location: .env\n");
    await writeFile(join(dir, "api.yaml"), pipelineOf(task("a", "tasks.ts#api", "b"), task("b", "tasks.ts#again")));
    const result = await runCli(["execute", "-f", "api.yaml", "-c", "c.yaml", "--run-id", "api"], { cwd: dir, env: { RUNNABLE_PRM_x: "21" } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("secret ***");
    expect(result.stdout).not.toContain("Zq7TokenValue42");
    const log = await readRunLog(dir, "api");
    expect(log.steps.a.output_parameters).toEqual({ doubled: 42, run: "api", read: 21, calls: 1 });
    expect(log.steps.a.user_defined_metrics).toEqual({ loss: 0.5 });
    expect(log.steps.a.data_catalog.map((entry: { name: string; stage: string }) => `${entry.stage} ${entry.name}`)).toContain("put data.txt");
    // The second step runs in the same warm thread: its module was imported once.
    expect(log.steps.b.output_parameters).toEqual({ calls_again: 2, got: 1 });
    const output = await readFile(join(dir, ".catalog/api/a.execution.log"), "utf8");
    expect(output).toContain("console 21 1");
    expect(output).toContain("raw stdout");
    expect(output).toContain("to stderr");
  }, 60_000);

  it("a task's abort signal reaches it (a time limit ends a patient task in time, no grace period needed)", async () => {
    await writeFile(join(dir, "quick.yaml"), "executor:\n  type: local\n  config:\n    max_step_duration_in_seconds: 1\n");
    await writeFile(join(dir, "patient.yaml"), pipelineOf(task("p", "tasks.ts#patient")));
    const started = Date.now();
    const result = await runCli(["execute", "-f", "patient.yaml", "-c", "quick.yaml", "--run-id", "patient"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await readRunLog(dir, "patient")).steps.p.attempts[0].message).toContain("time limit of 1 second");
  }, 60_000);

  it("a task calling process.exit, or throwing from a timer, fails its step; the run goes on (on_failure) instead of the CLI dying", async () => {
    const steps = [
      "    e: {type: task, command_type: typescript, command: tasks.ts#exits, next: success, on_failure: t}\n",
      "    t: {type: task, command_type: typescript, command: tasks.ts#throwsLater, next: success, on_failure: done}\n",
      "    done: {type: stub, next: success}\n",
    ];
    await writeFile(join(dir, "crash.yaml"), `dag:\n  start_at: e\n  steps:\n${steps.join("")}`);
    const result = await runCli(["execute", "-f", "crash.yaml", "--run-id", "crash"], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const log = await readRunLog(dir, "crash");
    expect(log.steps.e.attempts[0].message).toBe("the task's worker thread ended (exit code 3)");
    expect(log.steps.t.attempts[0].message).toContain("thrown from a timer");
    expect(log.steps.done.status).toBe("SUCCESS");
  }, 60_000);

  it("a map of more concurrent tasks than CPUs shares at most one thread per CPU (at least 2), the tasks still running at once", async () => {
    const xs = Array.from({ length: 8 }, (_, i) => i);
    await writeFile(join(dir, "wide.yaml"), "executor:\n  type: local\n  config:\n    enable_parallel: true\n    max_parallel: 8\n");
    await writeFile(
      join(dir, "items.yaml"),
      "dag:\n  start_at: m\n  steps:\n    m:\n      type: map\n      iterate_on: xs\n      iterate_as: x\n      next: success\n      branch:\n        start_at: t\n        steps:\n" +
        task("t", "tasks.ts#item").replace(/^ {4}/gm, "          "),
    );
    const result = await runCli(["execute", "-f", "items.yaml", "-c", "wide.yaml", "--run-id", "items"], {
      cwd: dir,
      env: { RUNNABLE_PRM_xs: JSON.stringify(xs) },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const items = await Promise.all(
      xs.map(async (x) => JSON.parse(await readFile(join(dir, `item-${x}.json`), "utf8")) as { threadId: number; start: number; end: number }),
    );
    const threads = new Set(items.map((i) => i.threadId));
    expect(threads.size).toBeLessThanOrEqual(Math.max(2, availableParallelism()));
    expect(threads.has(0)).toBe(false); // none on the CLI's own thread
    // More tasks ran at once than there were threads: they interleave on the threads they share.
    const overlapping = Math.max(...items.map((a) => items.filter((b) => b.start < a.end && a.start < b.end).length));
    expect(overlapping).toBeGreaterThan(threads.size);
  }, 60_000);

  it("worker_threads: false runs tasks on the CLI's thread, as before", async () => {
    await writeFile(
      join(dir, "here.yaml"),
      "secrets:\n  type: dotenv\n  config:\n    location: .env\ntask_runners:\n  typescript:\n    worker_threads: false\n",
    );
    await writeFile(join(dir, "api.yaml"), pipelineOf(task("a", "tasks.ts#api", "b"), task("b", "tasks.ts#again")));
    const result = await runCli(["execute", "-f", "api.yaml", "-c", "here.yaml", "--run-id", "here"], { cwd: dir, env: { RUNNABLE_PRM_x: "2" } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect((await readRunLog(dir, "here")).steps.b.output_parameters).toEqual({ calls_again: 2, got: 1 });
  }, 60_000);
});
