import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { NEEDS, itNeeding } from "./helpers/requirements.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  await writeFile(
    join(dir, "jobmod.py"),
    'import os, sys\n\ndef make():\n    os.makedirs("data", exist_ok=True)\n    open("data/model.txt", "w").write("m")\n    print("made")\n\n' +
      "def where():\n    print('EXECUTABLE', sys.executable)\n\ndef needs_missing():\n    import not_a_real_package_xyz  # noqa\n",
  );
  await writeFile(join(dir, "warns.yaml"), "executor:\n  type: local\n  config:\n    max_parallel: 2\n");
});
afterAll(() => cleanup());

const STUBS = "examples/concepts/traversal.yaml";
const canNotebook = (() => {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import nbclient, ipykernel"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("--log-level (runnable's choices) on every command", () => {
  it.each([
    [["execute", "-f", STUBS, "--log-level", "DEBUG"]],
    [["runs", "list", "--log-level", "ERROR"]],
    [["validate", STUBS, "--log-level", "FATAL"]],
    [["execute_function", "jobmod.make", "--log-level", "info"]],
  ])(
    "%j",
    async (args) => {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
    },
    30_000,
  );

  it("rejects other levels", async () => {
    const result = await runCli(["execute", "-f", STUBS, "--log-level", "LOUD"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Allowed choices are DEBUG, INFO, WARNING, ERROR, FATAL");
  });

  it("WARNING (default) shows warnings, ERROR hides them, INFO adds what the run works with", async () => {
    const args = ["execute", "-f", STUBS, "-c", "warns.yaml"];
    const byDefault = await runCli(args, { cwd: dir });
    expect(byDefault.stderr).toContain("warning: executor local: max_parallel 2 has no effect");
    expect(byDefault.stderr).not.toContain("info:");
    const quiet = await runCli([...args, "--log-level", "ERROR"], { cwd: dir });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    const info = await runCli([...args, "--log-level", "INFO", "--run-id", "info-run"], { cwd: dir });
    expect(info.stderr).toContain(
      "info: run info-run: executor local, run log store file-system, catalog file-system, secrets do-nothing, experiment tracker do-nothing",
    );
  }, 30_000);
});

describe("the buffered run log store", () => {
  it("prints the run log at the end of the run (its only record)", async () => {
    const result = await runCli(["execute", "-f", STUBS, "-c", "examples/configs/buffered-run_log.yaml", "--run-id", "in-memory", "-q"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const json = result.stdout.slice(result.stdout.indexOf("{"), result.stdout.lastIndexOf("}") + 1);
    const log = JSON.parse(json);
    expect(log).toMatchObject({ run_id: "in-memory", status: "SUCCESS" });
    expect(Object.keys(log.steps)).toEqual(["step 1", "step 2", "step 3", "success"]);
    expect(existsSync(join(dir, ".run_log_store", "in-memory.json"))).toBe(false);
  });

  it("refuses --use-cached and retry: its runs live only as long as the process that ran them", async () => {
    const config = ["-c", "examples/configs/buffered-run_log.yaml"];
    const rerun = await runCli(["execute", "-f", STUBS, ...config, "--use-cached", "in-memory"], { cwd: dir });
    expect(rerun.code).toBe(2);
    expect(rerun.stderr).toContain("the buffered run log store keeps runs in memory only");
    const retry = await runCli(["retry", "in-memory", ...config], { cwd: dir });
    expect(retry.code).toBe(2);
    expect(retry.stderr).toContain("the buffered store keeps runs in memory only, so its runs cannot be retried");
  });
});

describe("execute_function and execute_notebook: single jobs (runnable's were broken)", () => {
  it("runs a function as the step 'executing job', puts --put-in-catalog/-put files relative to --data-folder", async () => {
    const result = await runCli(["execute_function", "jobmod.make", "-put", "model.txt", "--run-id", "job-fn", "--tag", "jobs"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const log = await readRunLog(dir, "job-fn");
    expect(Object.keys(log.steps)).toEqual(["executing job", "success"]);
    expect(log.tag).toBe("jobs");
    expect(log.run_config).toMatchObject({ execution_plan: "unchained", pipeline_file: "", dag_hash: "" });
    expect(log.steps["executing job"].data_catalog.map((c: any) => `${c.stage} ${c.name}`)).toEqual(["put data/model.txt", "put executing_job.execution.log"]);
    expect(await readFile(join(dir, ".catalog", "job-fn", "data/model.txt"), "utf8")).toBe("m");
  }, 30_000);

  it("a failing job exits 1; a bad notebook name exits 2", async () => {
    const failed = await runCli(["execute_function", "jobmod.needs_missing", "--run-id", "job-fail"], { cwd: dir });
    expect(failed.code).toBe(1);
    const message = (await readRunLog(dir, "job-fail")).steps["executing job"].attempts[0].message;
    expect(message).toMatch(
      /ModuleNotFoundError: No module named 'not_a_real_package_xyz'; install it for the Python that runs tasks: \S+ -m pip install not_a_real_package_xyz/,
    );
    const bad = await runCli(["execute_notebook", "notebook.py"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("A notebook should always have ipynb as the extension");
  }, 30_000);

  itNeeding(NEEDS.notebooks, !canNotebook && "/usr/bin/python3 cannot import nbclient and ipykernel")(
    "runs a notebook, writing it to --notebook-output-path",
    async () => {
      const args = [
        "execute_notebook",
        "examples/python/notebooks/simple_notebook.ipynb",
        "--notebook-output-path",
        "out/executed.ipynb",
        "--run-id",
        "job-nb",
      ];
      const result = await runCli(args, { cwd: dir, env: { RUNNABLE_NOTEBOOK_PYTHON: "/usr/bin/python3" } });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const log = await readRunLog(dir, "job-nb");
      expect(log.steps["executing job"].data_catalog.map((c: any) => c.name)).toContain("out/executed.ipynb");
    },
    60_000,
  );
});

describe("task_runners: interpreters and kernels from the services config", () => {
  it("task_runners.python.interpreter chooses the Python of python tasks", async () => {
    await writeFile(join(dir, "runners.yaml"), "task_runners:\n  python:\n    interpreter: /usr/bin/python3\n");
    const result = await runCli(["execute_function", "jobmod.where", "-c", "runners.yaml", "--run-id", "which-python"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("EXECUTABLE /usr/bin/python3");
  }, 30_000);

  it("is validated like the other sections, with file:line:col", async () => {
    await writeFile(join(dir, "bad-runners.yaml"), "task_runners:\n  python:\n    interpeter: python3\n  pyton: {}\n");
    const result = await runCli(["execute", "-f", STUBS, "-c", "bad-runners.yaml"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'bad-runners.yaml:3:5: unknown key "interpeter" in task_runners.python (allowed keys: interpreter, notebook_python, kernel, warm_worker). Did you mean "interpreter"?',
    );
    expect(result.stderr).toContain('bad-runners.yaml:4:3: unknown task runner "pyton" in task_runners; known task runners: shell, typescript, python.');
  });

  it("a missing interpreter names the install command and the setting", async () => {
    await writeFile(join(dir, "no-python.yaml"), "task_runners:\n  python:\n    interpreter: /nonexistent/python3\n");
    const result = await runCli(["execute_function", "jobmod.make", "-c", "no-python.yaml"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'Python interpreter "/nonexistent/python3" not found; install Python 3 (apt-get install python3), or name the interpreter to use in the config (task_runners: {python: {interpreter: /path/to/python}})',
    );
  });
});
