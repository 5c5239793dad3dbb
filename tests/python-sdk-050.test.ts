// runnable 0.50's Python SDK on this engine (issue 18): its names, its problems reported like YAML's,
// a 0.50-style script run end to end (list order, on_failure pipelines, functions of the script itself),
// what execute() returns or raises, 0.50's variables for SDK runs, retries by RUNNABLE_RETRY_RUN_ID and
// the definition written for an executor that does not run steps here. 0.50.0's own examples are
// compared with 0.50.0 in tests/python-sdk-050-dag.test.ts and tests/vs-runnable-050.test.ts.
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { runPythonScript, sdkPython } from "./helpers/python-sdk.js";

let dir: string;
let cleanup: () => Promise<void>;
let python: string;
beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  python = await sdkPython();
}, 120_000);
afterAll(() => cleanup());

/** The names `from runnable import ...` gives in runnable 0.50.0 (its runnable/__init__.py). */
const NAMES_050 = [
  "AsyncPipeline",
  "AsyncPythonTask",
  "Catalog",
  "Conditional",
  "Fail",
  "Loop",
  "Map",
  "NotebookJob",
  "NotebookTask",
  "Parallel",
  "Pipeline",
  "PythonJob",
  "PythonTask",
  "ShellJob",
  "ShellTask",
  "Stub",
  "Success",
  "json",
  "metric",
  "pickled",
  "OTEL_AVAILABLE",
  "StreamingSpanProcessor",
  "get_stream_queue",
  "set_stream_queue",
  "truncate_value",
];

const script = (name: string, text: string) => writeFile(join(dir, name), text);
const runLogIn = async (folder: string, runId: string) => JSON.parse(await readFile(join(dir, folder, `${runId}.json`), "utf8"));

describe("runnable 0.50's names", () => {
  it("import from runnable and runnable.sdk; names of later issues say which issue when used, not when imported", async () => {
    await script(
      "names.py",
      `import runnable\nlisted = all(name in dir(runnable) for name in ${JSON.stringify(NAMES_050)})\n` +
        `import runnable.sdk as sdk\nfrom runnable import ${NAMES_050.join(", ")}\n` +
        "from runnable.sdk import BaseTask, BaseTraversal, TaskReturns, PythonTask as P2\n" +
        "from runnable.exceptions import ExecutionFailedError\n" +
        'print(pickled("df"), json("x"), metric("m"), P2 is PythonTask, OTEL_AVAILABLE, StreamingSpanProcessor)\n' +
        "for made in (lambda: AsyncPipeline(steps=[]), lambda: truncate_value(1)):\n" +
        "    try:\n        made()\n    except NotImplementedError as error:\n        print(error)\n" +
        'print("dir", listed)\n',
    );
    const result = await runPythonScript(python, "names.py", { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("TaskReturns(name='df', kind='object') TaskReturns(name='x', kind='json') TaskReturns(name='m', kind='metric') True False None");
    expect(lines[1]).toMatch(/^runnable-ts does not support AsyncPipeline yet: async pipelines .* Available now: PythonTask, .*Conditional, Loop.*PythonJob/);
    expect(lines[2]).toContain("truncate_value yet");
    expect(lines[3]).toBe("dir True");
  });
});

describe("Pipeline.execute()'s arguments", () => {
  it("after parameters_file, a position means 0.50's log_level, or February 2024's use_cached, log_level, output_pipeline_definition", async () => {
    await script(
      "positions.py",
      "import runnable._engine as engine\nfrom runnable import Pipeline, Stub\n" +
        "engine.execute_payload = lambda payload: print(payload['arguments']['use_cached'] or '-', payload['arguments']['log_level'])\n" +
        'Pipeline(steps=[Stub(name="a")]).execute("c.yaml", "id", "tag", "p.yaml", "INFO")\n' +
        's = Stub(name="b", terminate_with_success=True)\nPipeline(steps=[s], start_at=s).execute("c.yaml", "id", "tag", "p.yaml", "earlier-run", "DEBUG")\n',
    );
    const result = await runPythonScript(python, "positions.py", { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("- INFO\nearlier-run DEBUG\n");
  });
});

const BAD = `from runnable import NotebookTask, Pipeline, PythonTask, ShellTask, Stub, pickled

def f():
    pass

a = PythonTask(name="a", function=lambda: 1)
b = ShellTask(name="b", comand="echo hi")
c = PythonTask(name="c", function=f, returns=[pickled(3), 4])
d = Stub(name="d", terminate_with_success=True)
e = NotebookTask(name="e")
Pipeline(steps=[a, b, c, d, e, a]).execute()
print("not reached")
`;

describe("problems of a 0.50-style pipeline are reported at once, each at its line, like YAML's", () => {
  it.each([
    ["python3 bad050.py", () => runPythonScript(python, "bad050.py", { cwd: dir })],
    ["runnable validate bad050.py", () => runCli(["validate", "bad050.py"], { cwd: dir, env: { RUNNABLE_PYTHON: python } })],
  ])(
    "%s: exit 2, no traceback",
    async (_way, run) => {
      await script("bad050.py", BAD);
      const result = await run();
      expect(result.code, result.stderr).toBe(2);
      for (const problem of [
        'bad050.py:6:5: step "a": PythonTask function <lambda> is not defined at the top level of a module',
        'bad050.py:7:5: step "b": ShellTask() got an unknown argument "comand"',
        'bad050.py:7:5: step "b": ShellTask() needs a command',
        'bad050.py:8:47: step "c": a returned value needs a name (a non-empty string), got int 3',
        'bad050.py:8:5: step "c": returns[1] must be a name or json()/pickled()/metric(), got int 4',
        'bad050.py:9:5: step "d" has terminate_with_success=True but is not the last step',
        'bad050.py:10:5: step "e": NotebookTask() needs a notebook',
        'bad050.py:11:1: step "a" appears more than once in steps=[...]; list each step once',
      ])
        expect(result.stderr).toContain(problem);
      expect(result.stderr, "one mistake, one problem: no unreachable steps reported after it").not.toContain("never reached");
      expect(result.stderr).not.toContain("Traceback");
      expect(result.stdout).not.toContain("not reached");
    },
    30_000,
  );
});

const FLOW = `from runnable import Pipeline, PythonTask, ShellTask, Stub


def hello():
    print("hello from the script's own function")


def main():
    first = PythonTask(name="first", function=hello)
    boom = ShellTask(name="boom", command="exit 3")
    boom.on_failure = ShellTask(name="recover", command="echo recovered").as_pipeline()
    never = Stub(name="never")
    log = Pipeline(steps=[first, boom, never]).execute()
    print("STATUS", log.status, type(log).__name__)


if __name__ == "__main__":
    main()
`;

describe("a runnable 0.50 script on this engine", () => {
  it("runs its steps in list order, a function of the script itself, and an on_failure pipeline set after the step was made", async () => {
    await mkdir(join(dir, "my-flows"), { recursive: true });
    await script("my-flows/flow.py", FLOW);
    const result = await runPythonScript(python, "my-flows/flow.py", { cwd: dir, env: { RUNNABLE_RUN_ID: "flow-050" } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("STATUS SUCCESS RunLog");
    expect(result.stdout).toContain("hello from the script's own function");
    const log = await readRunLog(dir, "flow-050");
    expect(Object.fromEntries(Object.entries(log.steps).map(([name, step]: [string, any]) => [name, step.status]))).toEqual({
      first: "SUCCESS",
      boom: "FAIL",
      recover: "SUCCESS",
      success: "SUCCESS",
    });
    expect(log.run_config.dag.steps.first).toMatchObject({ command: "my-flows.flow.hello", next: "boom" });
    expect(log.run_config.dag.steps.boom).toMatchObject({ next: "never", on_failure: "recover" });
  }, 60_000);

  it("a failed run raises ExecutionFailedError (exit 1), as 0.50's execute() does; under runnable execute -f too", async () => {
    await script(
      "fails050.py",
      'from runnable import Pipeline, ShellTask, Stub\nPipeline(steps=[ShellTask(name="boom", command="exit 3"), Stub(name="after")]).execute()\nprint("not reached")\n',
    );
    const direct = await runPythonScript(python, "fails050.py", { cwd: dir, env: { RUNNABLE_RUN_ID: "fails-050" } });
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain("runnable.exceptions.ExecutionFailedError: Execution failed for run id: fails-050");
    expect(direct.stdout).not.toContain("not reached");
    expect((await readRunLog(dir, "fails-050")).status).toBe("FAIL");
    const cli = await runCli(["execute", "-f", "fails050.py", "--run-id", "fails-050-cli"], { cwd: dir, env: { RUNNABLE_PYTHON: python } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("Execution failed for run id: fails-050-cli");
  }, 60_000);
});

const CONTROL = `import os
from runnable import Conditional, Pipeline, PythonTask, Stub, set_parameter
from runnable.sdk import Loop


def toss():
    set_parameter(toss="tails")


def count():
    print("iteration", os.environ["counter"])
    set_parameter(should_stop=int(os.environ["counter"]) >= 2)


def main():
    pick = Conditional(name="pick", parameter="toss", branches={"heads": Stub(name="h").as_pipeline(), "tails": Stub(name="t").as_pipeline()})
    again = Loop(name="again", branch=PythonTask(name="count", function=count).as_pipeline(), max_iterations=5, break_on="should_stop", index_as="counter")
    log = Pipeline(steps=[PythonTask(name="toss", function=toss), pick, again]).execute()
    print("STATUS", log.status)


if __name__ == "__main__":
    main()
`;

describe("runnable 0.50's Conditional and Loop on this engine", () => {
  it("run the branch the parameter picks and iterate until break_on, recorded as 0.50 records them", async () => {
    await script("control050.py", CONTROL);
    const result = await runPythonScript(python, "control050.py", { cwd: dir, env: { RUNNABLE_RUN_ID: "control-050" } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("STATUS SUCCESS");
    const log = await readRunLog(dir, "control-050");
    expect(Object.keys(log.steps.pick.branches)).toEqual(["pick.tails"]);
    expect(Object.keys(log.steps.again.branches)).toEqual(["again.0", "again.1", "again.2"]);
    expect(Object.keys(log.steps.again.branches["again.2"].steps)).toEqual(["again.2.count", "again.2.success"]);
    expect(log.parameters.should_stop).toBe(true);
  }, 60_000);

  it("say what is wrong when written wrongly, each problem at its line", async () => {
    await script(
      "control-bad.py",
      "from runnable import Conditional, Loop, Pipeline, Stub\n" +
        'c = Conditional(name="c", parameter="my_param", branches={"a-b": Stub(name="s").as_pipeline()})\n' +
        'l = Loop(name="l", branch=Stub(name="s").as_pipeline(), break_on="stop", index_as="i")\n' +
        "Pipeline(steps=[c, l]).execute()\n",
    );
    const result = await runPythonScript(python, "control-bad.py", { cwd: dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("control-bad.py:2:5: step \"c\": The parameter name must be alphanumeric (letters and digits only), got str 'my_param'");
    expect(result.stderr).toContain('control-bad.py:2:5: step "c": Branch "a-b" must be alphanumeric');
    expect(result.stderr).toContain('control-bad.py:3:5: step "l": Loop() needs max_iterations, an integer >= 1 (the bound is mandatory), got NoneType None');
  }, 60_000);
});

const CHOICES = `import sys
from runnable import Pipeline, ShellTask
step = ShellTask(name="show", command='echo "x=$RUNNABLE_PRM_x"')
Pipeline(steps=[step]).execute(run_id=sys.argv[1], parameters_file="arg-params.yaml", configuration_file="arg-config.yaml")
`;

describe("runnable 0.50's variables for SDK runs", () => {
  beforeAll(async () => {
    await script("choices.py", CHOICES);
    await script("arg-params.yaml", "x: from-argument\n");
    await script("env-params.yaml", "x: from-variable\n");
    await script("arg-config.yaml", "run_log_store:\n  type: file-system\n  config:\n    log_folder: arg-logs\n");
    await script("env-config.yaml", "run_log_store:\n  type: file-system\n  config:\n    log_folder: env-logs\n");
  });

  it("RUNNABLE_CONFIGURATION_FILE and RUNNABLE_PARAMETERS_FILE win over execute()'s arguments; run_id wins over RUNNABLE_RUN_ID", async () => {
    const env = { RUNNABLE_CONFIGURATION_FILE: "env-config.yaml", RUNNABLE_PARAMETERS_FILE: "env-params.yaml", RUNNABLE_RUN_ID: "from-env" };
    const result = await runPythonScript(python, "choices.py", { cwd: dir, env, args: ["from-argument"] });
    expect(result.code, result.stderr).toBe(0);
    const log = await runLogIn("env-logs", "from-argument");
    expect(log.parameters).toEqual({ x: "from-variable" });
    expect(log.run_config).toMatchObject({ parameters_file: "env-params.yaml", configuration_file: "env-config.yaml" });
  }, 30_000);

  it("without run_id, the run id comes from RUNNABLE_RUN_ID; the arguments' files are used when no variable names one", async () => {
    const result = await runPythonScript(python, "choices.py", { cwd: dir, env: { RUNNABLE_RUN_ID: "from-env" }, args: [""] });
    expect(result.code, result.stderr).toBe(0);
    const log = await runLogIn("arg-logs", "from-env");
    expect(log.parameters).toEqual({ x: "from-argument" });
  }, 30_000);
});

const RETRIED = `from runnable import Pipeline, ShellTask, Stub
Pipeline(steps=[Stub(name="start"), ShellTask(name="check", command="test -e ok.flag")]).execute()
`;

describe("RUNNABLE_RETRY_RUN_ID: a script retries its failed run, as runnable 0.50's retries do", () => {
  it("the retry keeps what succeeded and runs the failed step again under the same run id", async () => {
    await mkdir(join(dir, "retry"), { recursive: true });
    await writeFile(join(dir, "retry", "retried.py"), RETRIED);
    const cwd = join(dir, "retry");
    const first = await runPythonScript(python, "retried.py", { cwd, env: { RUNNABLE_RUN_ID: "retried-1" } });
    expect(first.code).toBe(1);
    await writeFile(join(cwd, "ok.flag"), "");
    const conflict = await runCli(["execute", "-f", "retried.py", "--run-id", "other"], {
      cwd,
      env: { RUNNABLE_PYTHON: python, RUNNABLE_RETRY_RUN_ID: "retried-1" },
    });
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain('RUNNABLE_RETRY_RUN_ID=retried-1 retries run "retried-1", but --run-id names run "other"');
    const retry = await runPythonScript(python, "retried.py", { cwd, env: { RUNNABLE_RETRY_RUN_ID: "retried-1", RUNNABLE_RUN_ID: "ignored" } });
    expect(retry.code, retry.stderr).toBe(0);
    const log = await readRunLog(cwd, "retried-1");
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.check.attempts.map((a: any) => a.status)).toEqual(["FAIL", "SUCCESS"]);
    expect(log.steps.start.attempts.map((a: any) => a.status)).toEqual(["SUCCESS"]);
  }, 60_000);
});

describe("an executor that does not run steps here gets the definition written", () => {
  it("python3 pipeline.py writes runnable-pipeline.yaml, which runnable execute -f runs", async () => {
    await mkdir(join(dir, "remote"), { recursive: true });
    const cwd = join(dir, "remote");
    await writeFile(join(cwd, "argo.yaml"), "executor:\n  type: argo\n  config:\n    image: runnable:demo\n");
    await writeFile(
      join(cwd, "remote.py"),
      "from runnable import Catalog, Parallel, Pipeline, ShellTask, Stub\n" +
        'branch = ShellTask(name="write", command="echo hi > out.txt", catalog=Catalog(put=["out.txt"])).as_pipeline()\n' +
        'both = Parallel(name="both", branches={"a": branch, "b": Stub(name="idle", what="kept").as_pipeline()})\n' +
        'print("RETURNED", Pipeline(steps=[both, Stub(name="end")]).execute(configuration_file="argo.yaml"))\n',
    );
    const written = await runPythonScript(python, "remote.py", { cwd });
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain("wrote runnable-pipeline.yaml; run it with: runnable execute -f runnable-pipeline.yaml -c argo.yaml");
    expect(written.stdout).toContain("RETURNED {}");
    const run = await runCli(["execute", "-f", "runnable-pipeline.yaml", "--run-id", "from-definition"], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const log = await readRunLog(cwd, "from-definition");
    expect(log.status).toBe("SUCCESS");
    expect(Object.keys(log.steps)).toEqual(["both", "end", "success"]);
  }, 60_000);
});

describe("Ctrl-C while python3 pipeline.py runs", () => {
  it("the command line stops the run (recorded), then the script stops with KeyboardInterrupt", async () => {
    await script(
      "slow.py",
      'from runnable import Pipeline, ShellTask\nPipeline(steps=[ShellTask(name="slow", command="echo begun && sleep 30")]).execute(run_id="ctrl-c")\nprint("not reached")\n',
    );
    const child = spawn(python, ["slow.py"], { cwd: dir, detached: true, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const started = new Promise<void>((done) => {
      const seen = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("begun")) done();
      };
      child.stdout.on("data", seen);
      child.stderr.on("data", seen);
    });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on("close", (code, signal) => done({ code, signal })));
    await started;
    process.kill(-child.pid!, "SIGINT"); // the terminal's Ctrl-C: the whole foreground group
    const { code, signal } = await ended;
    expect(signal ?? code, output).toBe("SIGINT");
    expect(output).toContain("KeyboardInterrupt");
    expect(output).not.toContain("not reached");
    const log = await readRunLog(dir, "ctrl-c");
    expect(log.status).toBe("FAIL");
    expect(log.steps.slow.attempts[0].message).toContain("interrupted by SIGINT");
  }, 60_000);
});
