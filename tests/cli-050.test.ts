import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { runPythonScript, sdkPython } from "./helpers/python-sdk.js";

// runnable 0.50's command line and environment inputs (issue 18, item 3), beside February-2024's:
// `execute FILE [RUN_ID]`, --config/--parameters, RUNNABLE_RUN_ID, RUNNABLE_PARAMETERS_FILE,
// RUNNABLE_CONFIGURATION_FILE, RUNNABLE_RETRY_RUN_ID, RUNNABLE_RUN_TAG for tasks, `retry --tag/--config`.

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  await writeFile(join(dir, "a.yaml"), "who: a\n");
  await writeFile(join(dir, "b.yaml"), "who: b\n");
  await writeFile(join(dir, "chunked.yaml"), "run-log-store:\n  type: chunked-fs\n");
  // A shell task that records what it was handed: the tag and the parameter `who` (JSON in RUNNABLE_PRM_who).
  await writeFile(
    join(dir, "echo.yaml"),
    'dag:\n  start_at: echo\n  steps:\n    echo:\n      type: task\n      command_type: shell\n      command: export RUNNABLE_PRM_seen="tag=$RUNNABLE_RUN_TAG who=$RUNNABLE_PRM_who"\n      next: success\n    success:\n      type: success\n    fail:\n      type: fail\n',
  );
});
afterAll(() => cleanup());

const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, env });
const seen = async (runId: string) => (await readRunLog(dir, runId)).parameters.seen;

describe("runnable execute FILE [RUN_ID] (runnable 0.50) beside -f FILE --run-id ID", () => {
  it("takes the file and the run id as arguments", async () => {
    const result = await run(["execute", "echo.yaml", "pos-id", "-q"]);
    expect(result.stdout, result.stderr).toBe("pos-id SUCCESS\n");
    expect((await readRunLog(dir, "pos-id")).run_config.pipeline_file).toBe("echo.yaml");
    const generated = await run(["execute", "echo.yaml", "-q"]);
    expect(generated.stdout).toMatch(/^[a-z]+-[a-z]+-\d{4} SUCCESS\n$/);
  });

  it.each([
    [["execute", "echo.yaml", "-f", "echo.yaml"], 'the pipeline file was given twice: as an argument ("echo.yaml") and with -f/--file ("echo.yaml")'],
    [["execute", "echo.yaml", "x1", "--run-id", "x2"], 'the run id was given twice: as an argument ("x1") and with --run-id ("x2")'],
    [
      ["execute", "echo.yaml", "--config", "chunked.yaml", "-c", "chunked.yaml"],
      "--config and -c/--config-file are two names of one option, and both were given",
    ],
    [["execute", "echo.yaml", "--parameters", "a.yaml", "--parameters-file", "b.yaml"], "--parameters and -p/--parameters-file are two names of one option"],
  ])("refuses %j as a usage error (exit 2, nothing run)", async (args, message) => {
    const before = await readdir(join(dir, ".run_log_store")).catch(() => []);
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/^hint: give it once/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await readdir(join(dir, ".run_log_store")).catch(() => [])).toEqual(before);
  });

  it("takes --config and --parameters as -c/--config-file and -p/--parameters-file", async () => {
    expect((await run(["execute", "echo.yaml", "alias-id", "--config", "chunked.yaml", "--parameters", "a.yaml", "-q"])).code).toBe(0);
    // chunked-fs keeps a folder per run
    expect(await readdir(join(dir, ".run_log_store", "alias-id"))).toContain("RunLog.json");
    const runLog = JSON.parse(await readFile(join(dir, ".run_log_store", "alias-id", "RunLog.json"), "utf8"));
    expect(runLog.run_config).toMatchObject({ configuration_file: "chunked.yaml", parameters_file: "a.yaml" });
  });

  it("names both forms in --help", async () => {
    const help = (await run(["execute", "--help"])).stdout;
    for (const text of [
      "[file] [run-id]",
      "-f, --file <file>",
      "-c, --config-file <file>",
      "--config <file>",
      "-p, --parameters-file <file>",
      "--parameters <file>",
    ]) {
      expect(help).toContain(text);
    }
    expect(help).toContain("$RUNNABLE_RUN_ID");
    const retry = (await run(["retry", "--help"])).stdout;
    for (const text of ["--config <file>", "--tag <tag>", "--log-level <level>"]) expect(retry).toContain(text);
  });

  it("accepts --log-level in any case, as runnable's typer does", async () => {
    expect((await run(["execute", "echo.yaml", "--log-level", "debug", "-q"])).code).toBe(0);
  });
});

describe("runnable 0.50's environment inputs: the explicit option wins, then the variable, then the default", () => {
  it("RUNNABLE_RUN_ID names the run when no run id is given", async () => {
    expect((await run(["execute", "echo.yaml", "-q"], { RUNNABLE_RUN_ID: "env-id" })).stdout).toBe("env-id SUCCESS\n");
    expect((await run(["execute", "echo.yaml", "arg-id", "-q"], { RUNNABLE_RUN_ID: "env-id-2" })).stdout).toBe("arg-id SUCCESS\n");
    expect((await run(["execute", "-f", "echo.yaml", "--run-id", "opt-id", "-q"], { RUNNABLE_RUN_ID: "env-id-3" })).stdout).toBe("opt-id SUCCESS\n");
  });

  it("RUNNABLE_PARAMETERS_FILE gives the initial parameters when -p is not given (and is recorded)", async () => {
    await run(["execute", "echo.yaml", "params-env", "-q"], { RUNNABLE_PARAMETERS_FILE: "a.yaml" });
    expect(await seen("params-env")).toBe('tag= who="a"');
    expect((await readRunLog(dir, "params-env")).run_config.parameters_file).toBe("a.yaml");
    await run(["execute", "echo.yaml", "params-opt", "-p", "b.yaml", "-q"], { RUNNABLE_PARAMETERS_FILE: "a.yaml" });
    expect(await seen("params-opt")).toBe('tag= who="b"');
  });

  it("RUNNABLE_CONFIGURATION_FILE chooses the config when -c is not given", async () => {
    await run(["execute", "echo.yaml", "config-env", "-q"], { RUNNABLE_CONFIGURATION_FILE: "chunked.yaml" });
    expect(await readdir(join(dir, ".run_log_store", "config-env"))).toContain("RunLog.json");
  });

  it("hands --tag to tasks as RUNNABLE_RUN_TAG", async () => {
    await run(["execute", "echo.yaml", "tagged", "--tag", "nightly", "-p", "a.yaml", "-q"]);
    expect(await seen("tagged")).toBe('tag=nightly who="a"');
    expect((await readRunLog(dir, "tagged")).tag).toBe("nightly");
  });

  it("RUNNABLE_RETRY_RUN_ID turns execute into the retry of that run, keeping its parameters (as runnable 0.50's retry)", async () => {
    await writeFile(
      join(dir, "flaky.yaml"),
      (await readFile(join(dir, "echo.yaml"), "utf8")).replace('export RUNNABLE_PRM_seen="', 'test -f ok && export RUNNABLE_PRM_seen="'),
    );
    expect((await run(["execute", "flaky.yaml", "to-retry", "-p", "a.yaml", "-q"])).stdout).toBe("to-retry FAIL\n");
    await writeFile(join(dir, "ok"), "");
    const retried = await run(["execute", "flaky.yaml", "-p", "b.yaml", "-q"], { RUNNABLE_RETRY_RUN_ID: "to-retry" });
    expect(retried.stdout, retried.stderr).toBe("to-retry SUCCESS\n");
    expect(retried.stderr).toContain("retrying run to-retry: it keeps the parameters it started with; b.yaml is not read");
    const log = await readRunLog(dir, "to-retry");
    expect(log.steps.echo.attempts.map((a: { status: string }) => a.status)).toEqual(["FAIL", "SUCCESS"]);
    expect(log.parameters.seen).toBe('tag= who="a"');
  });

  it("refuses RUNNABLE_RETRY_RUN_ID with --use-cached (exit 2)", async () => {
    const result = await run(["execute", "echo.yaml", "--use-cached", "pos-id"], { RUNNABLE_RETRY_RUN_ID: "pos-id" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("RUNNABLE_RETRY_RUN_ID=pos-id asks for a retry, and --use-cached pos-id for a re-run");
  });
});

describe("runnable retry RUN_ID with runnable 0.50's options", () => {
  it("takes --config and --tag (the retry's tag reaches its tasks)", async () => {
    await writeFile(
      join(dir, "flaky2.yaml"),
      (await readFile(join(dir, "echo.yaml"), "utf8")).replace('export RUNNABLE_PRM_seen="', 'test -f ok2 && export RUNNABLE_PRM_seen="'),
    );
    expect((await run(["execute", "flaky2.yaml", "retry-opts", "--config", "chunked.yaml", "-q"])).code).toBe(1);
    await writeFile(join(dir, "ok2"), "");
    const retried = await run(["retry", "retry-opts", "--config", "chunked.yaml", "--tag", "second", "-q"]);
    expect(retried.stdout, retried.stderr).toBe("retry-opts SUCCESS\n");
    const shown = await run(["runs", "show", "retry-opts", "--config", "chunked.yaml", "--json"]);
    expect(JSON.parse(shown.stdout).parameters.seen).toBe("tag=second who=");
  });
});

describe("runnable 0.50's config file", () => {
  it("runs with pipeline-executor / run-log-store / catalog / secrets: env-secrets", async () => {
    await writeFile(
      join(dir, "default-050.yaml"),
      "pipeline-executor:\n  type: local\nrun-log-store:\n  type: chunked-fs\ncatalog:\n  type: file-system\nsecrets:\n  type: env-secrets\n",
    );
    expect((await run(["execute", "echo.yaml", "cfg-050", "-c", "default-050.yaml", "-q"])).stdout).toBe("cfg-050 SUCCESS\n");
    const runLog = JSON.parse(await readFile(join(dir, ".run_log_store", "cfg-050", "RunLog.json"), "utf8"));
    expect(runLog.run_config.secrets_handler.service_name).toBe("env-secrets");
    expect(runLog.run_config.run_log_store.service_name).toBe("chunked-fs");
  });

  it("keeps an unknown ${variable} as written and runs, with a warning naming its place (runnable 0.50)", async () => {
    await writeFile(join(dir, "vars.yaml"), "catalog:\n  type: file-system\n  config:\n    catalog_location: .cat-${where}\n");
    const result = await run(["execute", "echo.yaml", "vars-id", "-c", "vars.yaml", "-q"]);
    expect(result.stdout, result.stderr).toBe("vars-id SUCCESS\n");
    expect(result.stderr).toContain('vars.yaml:4:23: catalog.config.catalog_location: unknown variable "where"; set it with: export RUNNABLE_VAR_where=...');
    expect(await readdir(join(dir, ".cat-${where}"))).toEqual(["vars-id"]);
    await run(["execute", "echo.yaml", "vars-set", "-c", "vars.yaml", "-q"], { RUNNABLE_VAR_where: "here" });
    expect(await readdir(join(dir, ".cat-here"))).toEqual(["vars-set"]);
  });

  it("runs each task step in its own `runnable execute-single-node` process with pipeline-executor: emulator", async () => {
    const task = (command: string, next: string) => `      type: task\n      command_type: shell\n      command: ${command}\n      next: ${next}\n`;
    await writeFile(
      join(dir, "emulated.yaml"),
      "dag:\n  start_at: first\n  steps:\n    first:\n" +
        task('export RUNNABLE_PRM_first="$RUNNABLE_EMULATED_STEP"', "second") +
        "    second:\n" +
        task('export RUNNABLE_PRM_seen="emulated=$RUNNABLE_EMULATED_STEP first=$RUNNABLE_PRM_first"', "success") +
        "    success:\n      type: success\n    fail:\n      type: fail\n",
    );
    await writeFile(join(dir, "emulate.yaml"), "pipeline-executor:\n  type: emulator\n");
    const result = await run(["execute", "emulated.yaml", "emulated-1", "-c", "emulate.yaml", "-q"]);
    expect(result.stdout, result.stderr).toBe("emulated-1 SUCCESS\n");
    const log = await readRunLog(dir, "emulated-1");
    expect(log.parameters.seen).toBe("emulated=1 first=1");
    expect(log.run_config.executor.service_name).toBe("emulator");
    await writeFile(join(dir, "emulate-buffered.yaml"), "pipeline-executor:\n  type: emulator\nrun-log-store:\n  type: buffered\n");
    const refused = await run(["execute", "emulated.yaml", "emulated-2", "-c", "emulate-buffered.yaml", "-q"]);
    expect(refused.code, refused.stderr).toBe(2);
  });

  it("uses runnable-config.yaml with services at its top as the config when none is given", async () => {
    const sub = join(dir, "with-default");
    await mkdir(sub);
    await writeFile(join(sub, "runnable-config.yaml"), "run-log-store:\n  type: chunked-fs\n");
    await writeFile(join(sub, "p.yaml"), await readFile(join(dir, "echo.yaml"), "utf8"));
    expect((await runCli(["execute", "p.yaml", "default-file", "-q"], { cwd: sub })).code).toBe(0);
    expect(await readdir(join(sub, ".run_log_store", "default-file"))).toContain("RunLog.json");
  });
});

describe("the Python SDK with runnable 0.50's environment inputs", () => {
  let python: string;
  beforeAll(async () => {
    python = await sdkPython();
    await writeFile(
      join(dir, "sdk_env.py"),
      [
        "from runnable import Pipeline, Task",
        "",
        "step = Task(name='echo', command='export RUNNABLE_PRM_seen=\"who=$RUNNABLE_PRM_who\"', command_type='shell', terminate_with_success=True)",
        "Pipeline(steps=[step], start_at=step, add_terminal_nodes=True).execute(parameters_file='a.yaml')",
        "",
      ].join("\n"),
    );
  }, 120_000);

  it("RUNNABLE_RUN_ID names the run and RUNNABLE_PARAMETERS_FILE beats the script's parameters_file, as in runnable 0.50", async () => {
    const byScript = await runPythonScript(python, "sdk_env.py", { cwd: dir, env: { RUNNABLE_RUN_ID: "sdk-script-params" } });
    expect(byScript.code, byScript.stderr).toBe(0);
    expect(await seen("sdk-script-params")).toBe('who="a"');
    const byEnv = await runPythonScript(python, "sdk_env.py", { cwd: dir, env: { RUNNABLE_RUN_ID: "sdk-env-params", RUNNABLE_PARAMETERS_FILE: "b.yaml" } });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(await seen("sdk-env-params")).toBe('who="b"');
  });

  it("runs a script's pipeline with pipeline-executor: emulator, each task in its own process, objects passed between them", async () => {
    await writeFile(join(dir, "emulate-sdk.yaml"), "pipeline-executor:\n  type: emulator\n");
    await writeFile(
      join(dir, "sdk_emulated.py"),
      [
        "import os",
        "from runnable import Pipeline, PythonTask, pickled",
        "",
        "def make():",
        "    return {'rows': [1, 2]}, os.environ.get('RUNNABLE_EMULATED_STEP')",
        "",
        "def use(table: dict, first: str):",
        "    return len(table['rows']), first + os.environ.get('RUNNABLE_EMULATED_STEP', '')",
        "",
        "if __name__ == '__main__':",
        "    Pipeline(steps=[",
        "        PythonTask(name='make', function=make, returns=[pickled('table'), 'first']),",
        "        PythonTask(name='use', function=use, returns=['count', 'both']),",
        "    ]).execute(configuration_file='emulate-sdk.yaml')",
        "",
      ].join("\n"),
    );
    const result = await runPythonScript(python, "sdk_emulated.py", { cwd: dir, env: { RUNNABLE_RUN_ID: "sdk-emulated" } });
    expect(result.code, result.stderr).toBe(0);
    const log = await readRunLog(dir, "sdk-emulated");
    expect(log.status).toBe("SUCCESS");
    expect(log.parameters).toMatchObject({ table: "table", first: "1", count: 2, both: "11" });
    expect(log.run_config.pipeline_file).toBe("runnable-pipeline.yaml");
  });
});
