import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { runIdOf, runPythonScript, sdkPython } from "./helpers/python-sdk.js";

let dir: string;
let cleanup: () => Promise<void>;
let python: string;
beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  python = await sdkPython();
}, 120_000);
afterAll(() => cleanup());

const BAD = `from runnable import Pipeline, Task, Stub

a = Stub(name="a")
b = Task(name="b", command="echo hi", command_type="shel", terminate_with_success=True)
c = Task(name="c", comand="x.y", terminate_with_success=True)
a >> b
a >> c
Pipeline(steps=[a, b, c], start_at=a).execute()
print("not reached")
`;

const PROBLEMS = [
  'bad.py:4:5: step "b": Invalid command_type: shel; use one of shell, python, notebook',
  'bad.py:5:5: step "c": Task() got an unknown argument "comand"',
  'bad.py:5:5: step "c": Task() needs a command',
  'bad.py:7:1: step "a" already goes to "b"; it cannot also go to "c" (remove one of the links)',
];

describe("invalid SDK pipelines read like invalid YAML: every problem, at the Python line that made it", () => {
  beforeAll(() => writeFile(join(dir, "bad.py"), BAD));
  it.each([
    ["python3 bad.py", () => runPythonScript(python, "bad.py", { cwd: dir })],
    ["runnable execute -f bad.py", () => runCli(["execute", "-f", "bad.py"], { cwd: dir, env: { RUNNABLE_PYTHON: python } })],
    ["runnable validate bad.py", () => runCli(["validate", "bad.py"], { cwd: dir, env: { RUNNABLE_PYTHON: python } })],
  ])(
    "%s: exit 2, no traceback",
    async (_way, run) => {
      const result = await run();
      expect(result.code).toBe(2);
      for (const problem of PROBLEMS) expect(result.stderr).toContain(problem);
      expect(result.stderr).toMatch(/^error: Pipeline bad\.py has \d+ problems:/m);
      expect(result.stderr).not.toContain("Traceback");
      expect(result.stdout).not.toContain("not reached");
    },
    30_000,
  );

  it("runnable validate accepts a good script without running it", async () => {
    const result = await runCli(["validate", "examples/concepts/nesting.py"], { cwd: dir, env: { RUNNABLE_PYTHON: python } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("examples/concepts/nesting.py: valid (");
    expect(result.stdout).not.toMatch(/^run /m);
  });

  it("runnable validate script.py makes the checks execute makes before a run (issue 11 item 3)", async () => {
    await writeFile(
      join(dir, "late.py"),
      'from runnable import Pipeline, Task\n\nt = Task(name="t", command="examples.nowhere.fn", terminate_with_success=True)\nPipeline(steps=[t], start_at=t).execute(configuration_file="missing-config.yaml")\n',
    );
    const missingModule = await runCli(["validate", "late.py"], { cwd: dir, env: { RUNNABLE_PYTHON: python } });
    expect(missingModule.code, missingModule.stdout).toBe(2);
    expect(missingModule.stderr).toContain("missing-config.yaml");
    expect(missingModule.stdout).not.toContain("valid");
  });

  it("a script that never calls Pipeline.execute() is reported", async () => {
    await writeFile(join(dir, "nothing.py"), "from runnable import Stub\nStub(name='x')\n");
    const result = await runCli(["execute", "-f", "nothing.py"], { cwd: dir, env: { RUNNABLE_PYTHON: python } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nothing.py did not hand a pipeline to runnable: it ended without calling Pipeline.execute()");
  });
});

describe("runnable execute -f pipeline.py: the command line's options win over the script's arguments", () => {
  it("--run-id, --tag, -p and -c replace run_id, tag, parameters_file and configuration_file", async () => {
    await writeFile(join(dir, "other-params.yaml"), 'spam: "Hi"\neggs:\n  ham: "From the CLI"\n');
    const args = [
      "execute",
      "-f",
      "examples/concepts/task_api_parameters.py",
      "--run-id",
      "cli-wins",
      "--tag",
      "cli-tag",
      "-p",
      "other-params.yaml",
      "-c",
      "examples/configs/chunked-fs-run_log.yaml",
    ];
    const result = await runCli(args, { cwd: dir, env: { RUNNABLE_PYTHON: python } });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, ".run_log_store", "cli-wins", "RunLog.json"))).toBe(true);
    const summary = await runCli(["runs", "show", "cli-wins", "--json", "-c", "examples/configs/chunked-fs-run_log.yaml"], { cwd: dir });
    const log = JSON.parse(summary.stdout);
    expect(log.tag).toBe("cli-tag");
    expect(log.steps.Modify.attempts[0].parameters).toEqual({ spam: "Hi", eggs: { ham: "From the CLI" } });
    expect(log.run_config.parameters_file).toBe("other-params.yaml");
  }, 30_000);

  it("runnable_CONFIGURATION_FILE replaces the script's configuration_file (python3 pipeline.py)", async () => {
    const result = await runPythonScript(python, "examples/catalog_simple.py", {
      cwd: dir,
      env: { runnable_CONFIGURATION_FILE: "examples/configs/chunked-fs-run_log.yaml" },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, ".run_log_store", runIdOf(result.stdout), "RunLog.json"))).toBe(true);
  }, 30_000);

  it("use_cached (and --use-cached, which wins) re-run an earlier run: what succeeded there is recorded mocked", async () => {
    const script = (flag: string) =>
      "from runnable import Pipeline, Task\n" +
      'a = Task(name="a", command="export RUNNABLE_PRM_x=1", command_type="shell")\n' +
      `b = Task(name="b", command="test -e ${flag}", command_type="shell", terminate_with_success=True)\n` +
      'a >> b\nimport sys\nlog = Pipeline(steps=[a, b], start_at=a).execute(run_id=sys.argv[1] if len(sys.argv) > 1 else "", use_cached=sys.argv[2] if len(sys.argv) > 2 else "")\n' +
      'print("STATUS", log.status)\n';
    await writeFile(join(dir, "cached.py"), script("cached.flag"));
    const first = await runPythonScript(python, "cached.py", { cwd: dir, args: ["cached-1"] });
    expect(first.stdout).toContain("STATUS FAIL");
    await writeFile(join(dir, "cached.flag"), "");
    const second = await runPythonScript(python, "cached.py", { cwd: dir, args: ["cached-2", "cached-1"] });
    expect(second.stdout, second.stderr).toContain("STATUS SUCCESS");
    const log = JSON.parse((await runCli(["runs", "show", "cached-2", "--json"], { cwd: dir })).stdout);
    expect(log).toMatchObject({ use_cached: true, original_run_id: "cached-1" });
    expect(log.steps.a.mock).toBe(true);
    expect(log.steps.b.mock).toBe(false);
    const viaCli = await runCli(["execute", "-f", "cached.py", "--use-cached", "cached-1", "--run-id", "cached-3"], {
      cwd: dir,
      env: { RUNNABLE_PYTHON: python },
    });
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(JSON.parse((await runCli(["runs", "show", "cached-3", "--json"], { cwd: dir })).stdout).original_run_id).toBe("cached-1");
  }, 60_000);
});

describe("Pipeline.execute() returns the run log", () => {
  it("a failed run is returned, not raised (python3), and exits 1 under runnable execute -f", async () => {
    await writeFile(
      join(dir, "fails.py"),
      'from runnable import Pipeline, Task\nt = Task(name="boom", command="exit 3", command_type="shell", terminate_with_success=True)\n' +
        'log = Pipeline(steps=[t], start_at=t).execute(run_id="fails-1")\nprint("STATUS", log.status, log["steps"]["boom"]["attempts"][0]["status"], type(log).__name__)\n',
    );
    const direct = await runPythonScript(python, "fails.py", { cwd: dir });
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toContain("STATUS FAIL FAIL RunLog");
    const cli = await runCli(["execute", "-f", "fails.py", "--run-id", "fails-2"], { cwd: dir, env: { RUNNABLE_PYTHON: python } });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain("STATUS FAIL FAIL RunLog");
    expect((await readRunLog(dir, "fails-2")).status).toBe("FAIL");
  }, 30_000);

  it("a second Pipeline.execute() under runnable execute -f is refused with a clear error", async () => {
    await writeFile(
      join(dir, "twice.py"),
      'from runnable import Pipeline, Stub\ns = Stub(name="s", terminate_with_success=True)\np = Pipeline(steps=[s], start_at=s)\np.execute()\np.execute()\n',
    );
    const result = await runCli(["execute", "-f", "twice.py"], { cwd: dir, env: { RUNNABLE_PYTHON: python } });
    expect(result.stderr).toContain("runnable execute -f runs the first pipeline a script executes");
    expect(result.code).toBe(1);
  }, 30_000);

  it("a task module that runs its pipeline when imported fails that step with the fix, instead of starting a run inside the run", async () => {
    await writeFile(
      join(dir, "unguarded.py"),
      'from runnable import Pipeline, Task\ndef f():\n    pass\nt = Task(name="t", command="unguarded.f", terminate_with_success=True)\nPipeline(steps=[t], start_at=t).execute(run_id="unguarded")\n',
    );
    const result = await runPythonScript(python, "unguarded.py", { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const message = (await readRunLog(dir, "unguarded")).steps.t.attempts[0].message;
    expect(message).toContain(
      'Pipeline.execute() was called inside a running task (its module builds and runs the pipeline when imported); put that code under if __name__ == "__main__":',
    );
  }, 30_000);

  it("importing runnable (as every task does) loads neither the SDK nor pydantic", () => {
    const code = "import sys, runnable; print(sorted(m for m in sys.modules if m.startswith(('runnable.', 'pydantic'))))";
    const loaded = execFileSync(python, ["-c", code], { cwd: dir, encoding: "utf8" }).trim();
    expect(loaded).toBe("['runnable._coerce', 'runnable._context']");
  });
});

describe("finding the engine from a pip-installed package (pip install python/)", () => {
  let installed: string;
  let project: string;
  beforeAll(async () => {
    installed = await sdkPython(join(REPO, ".cache", "python-sdk-venv-wheel"), false);
    project = join(dir, "project");
    await mkdir(project, { recursive: true });
    await writeFile(
      join(project, "pipeline.py"),
      'from runnable import Pipeline, Stub\ns = Stub(name="s", terminate_with_success=True)\nprint(Pipeline(steps=[s], start_at=s).execute().status)\n',
    );
  }, 120_000);
  const path = `${dirname(process.execPath)}:/usr/bin:/bin`;

  it("without runnable-ts installed, the error names what to install", async () => {
    const result = await runPythonScript(installed, "pipeline.py", { cwd: project, env: { PATH: path } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      // issue 23: runnable-ts is not on a registry; the message names the installs that work (the wheel, npm pack's tarball)
      "error: runnable-ts' command line was not found (it runs the pipeline): install the wheel that carries it (`pip install runnable_ts-<version>-py3-none-any.whl`, built by `npm run build:python`), or the npm package in this project (`npm install <path to runnable-ts-<version>.tgz>`, from `npm pack`)",
    );
  });

  it("finds node_modules/.bin/runnable in the project, or $RUNNABLE_TS_CLI", async () => {
    await mkdir(join(project, "node_modules", ".bin"), { recursive: true });
    await symlink(join(REPO, "bin", "runnable.js"), join(project, "node_modules", ".bin", "runnable"));
    const found = await runPythonScript(installed, "pipeline.py", { cwd: project, env: { PATH: path } });
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toMatch(/SUCCESS\n$/);
    const other = join(dir, "elsewhere");
    await mkdir(other, { recursive: true });
    const byEnv = await runPythonScript(installed, join(project, "pipeline.py"), {
      cwd: other,
      env: { PATH: path, RUNNABLE_TS_CLI: join(REPO, "bin", "runnable.js") },
    });
    expect(byEnv.code, byEnv.stderr).toBe(0);
  }, 30_000);
});
