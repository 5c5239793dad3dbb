// Jobs (issue 22, item 1): one task run on its own and recorded as runnable 0.50 records jobs — the
// run's `job` log beside empty `steps`, 0.50's job keys in run_config — through the TypeScript SDK's
// job(), the Python SDK's PythonJob/ShellJob/NotebookJob (`python job.py`, `runnable execute-job`),
// retried with `runnable retry`, shown by `runnable runs show`, and refused with file:line when wrong.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnableError } from "../src/core/errors.js";
import { job, shell, stub, typescript } from "../src/sdk/index.js";
import { contractErrors, readRunLog, runCli, runMain, scratchDir } from "./helpers/cli.js";
import { runPythonScript, sdkPython } from "./helpers/python-sdk.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
});
afterAll(() => cleanup());

/** Every key path of a JSON value (list items as `[]`), not descending into values that are user data. */
function keyPaths(value: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    if (value.length > 0) keyPaths(value[0], `${prefix}[]`, out);
  } else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.add(path);
      if (!["parameters", "dag", "steps", "input_parameters", "output_parameters", "user_defined_metrics", "initial_parameters"].includes(key))
        keyPaths(inner, path, out);
    }
  }
  return out;
}

/** runnable 0.50 fields a job's run log here does not write, and why. */
const NOT_WRITTEN: Record<string, string> = {
  "run_config.catalog.compute_data_folder": "the file-system catalog here records its catalog_location; puts are relative to the working directory",
  "run_config.object_serialisation": "0.50's pickler settings: objects (pickled returns) are issue 18's",
  "run_config.pickler": "as above",
  "run_config.pickler.extension": "as above",
  "run_config.pickler.service_name": "as above",
  "run_config.pickler.service_type": "as above",
  "run_config.return_objects": "as above",
  "run_config.run_log_store.supports_parallel_writes": "the stores here all take parallel writes; their traits say how",
};

describe("job() of the TypeScript SDK", () => {
  it("runs one task with 0.50's record: the job log beside empty steps, its catalog put, 0.50's run_config keys", async () => {
    const write = async () => {
      await writeFile(join(dir, "model.txt"), "weights");
    };
    const runLog = await job(typescript({ name: "train", function: write, catalog: { put: ["model.txt"] } })).execute({ cwd: dir, runId: "ts-job-1" });
    expect(runLog.steps).toEqual({});
    expect(runLog.job?.status).toBe("SUCCESS");
    const stored = await readRunLog(dir, "ts-job-1");
    expect(stored.steps).toEqual({});
    expect(stored.job.attempts.map((a: { status: string }) => a.status)).toEqual(["SUCCESS"]);
    expect(stored.job.data_catalog.map((d: { name: string; stage: string }) => `${d.stage} ${d.name}`)).toContain("put model.txt");
    expect(stored.run_config).toMatchObject({
      job_executor: { service_name: "local", service_type: "job_executor" },
      job_definition_file: "train",
      catalog_settings: ["model.txt"],
      catalog_store_copy: true,
      is_retry: false,
      job: { task_type: "typescript" },
    });
    expect(await contractErrors(stored)).toEqual([]);
  });

  it("is retried under its own id: the failed attempt kept, the next numbered on", async () => {
    let calls = 0;
    const flaky = () => {
      calls += 1;
      if (calls === 1) throw new Error("first time fails");
    };
    const made = job(typescript({ name: "flaky", function: flaky }));
    const failed = await made.execute({ cwd: dir, runId: "ts-job-2", throwOnFailure: false });
    expect(failed.status).toBe("FAIL");
    const retried = await made.retry("ts-job-2", { cwd: dir });
    expect(retried.status).toBe("SUCCESS");
    expect(retried.job?.attempts.map((a) => `${a.attempt_number} ${a.status}`)).toEqual(["1 FAIL", "2 SUCCESS"]);
    expect(retried.run_config["is_retry"]).toBe(true);
  });

  it("gets what the task returns as the run's parameters, and records the returns", async () => {
    const runLog = await job(typescript({ name: "answer", function: () => 42, returns: ["answer"] })).execute({ cwd: dir, runId: "ts-job-3" });
    expect(runLog.parameters["answer"]).toBe(42);
    expect(runLog.run_config["job"]).toMatchObject({ returns: [{ name: "answer", kind: "json" }] });
  });

  it("refuses what a job cannot be: a step that is not a task, links, a catalog get", () => {
    expect(() => job(stub({ name: "s" }))).toThrow(RunnableError);
    expect(() => job(shell({ name: "s", command: "true", next: "x" }))).toThrow(/no next, onFailure or terminateWith/);
    expect(() => job(shell({ name: "s", command: "true", catalog: { get: ["a.csv"] } }))).toThrow(/Catalog get is not supported for jobs/);
  });
});

describe("PythonJob, ShellJob and NotebookJob of the Python SDK", () => {
  let python: string;
  beforeAll(async () => {
    python = await sdkPython();
  }, 120_000);

  const env = () => ({ RUNNABLE_PYTHON: python, RUNNABLE_TS_CLI: join(import.meta.dirname, "..", "bin", "runnable.js") });

  it("writes every field of runnable 0.50's job run log (but those listed, each with its reason)", async () => {
    await writeFile(
      join(dir, "hello_job.py"),
      "from runnable import PythonJob\nfrom examples.functions import return_parameter as f\n\ndef main():\n    PythonJob(function=f).execute(job_id='py-job-1')\n\nif __name__ == '__main__':\n    main()\n",
    );
    const result = await runPythonScript(python, "hello_job.py", { cwd: dir, env: env() });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const ours = await readRunLog(dir, "py-job-1");
    const theirs = JSON.parse(await readFile(join(import.meta.dirname, "fixtures", "jobs", "runnable-050-python-job.json"), "utf8"));
    const missing = [...keyPaths(theirs)].filter((path) => !keyPaths(ours).has(path) && !(path in NOT_WRITTEN));
    expect(missing).toEqual([]);
    expect(ours.steps).toEqual({});
    expect(ours.run_config.job_definition_file).toBe("hello_job.main");
    expect(ours.run_config.job).toMatchObject({ task_type: "python", command: "examples.functions.return_parameter" });
  }, 60_000);

  it("runs with `runnable execute-job module.function RUN_ID`, is retried with `runnable retry` and shown by `runs show`", async () => {
    await writeFile(
      join(dir, "shell_job.py"),
      'from runnable import ShellJob, Catalog\n\ndef main():\n    job = ShellJob(command=\'echo hi > out.txt; [ "$should_pass" = "true" ]\', catalog=Catalog(put=["out.txt"]))\n    return job\n',
    );
    const first = await runCli(["execute-job", "shell_job.main", "sh-job-1"], { cwd: dir, env: env() });
    expect(first.code, first.stderr).toBe(1);
    const retried = await runCli(["retry", "sh-job-1"], { cwd: dir, env: { ...env(), should_pass: "true" } });
    expect(retried.code, retried.stderr).toBe(0);
    const stored = await readRunLog(dir, "sh-job-1");
    expect(stored.job.attempts.map((a: { status: string }) => a.status)).toEqual(["FAIL", "SUCCESS"]);
    expect(stored.job.data_catalog.some((d: { name: string }) => d.name === "out.txt")).toBe(true);
    const shown = await runMain(["runs", "show", "sh-job-1"], { cwd: dir });
    expect(shown.stdout).toContain("job: shell_job.main");
    expect(shown.stdout).toMatch(/SUCCESS job {2}\[task\].* 2 attempts/);
  }, 60_000);

  it("runs with job-executor emulator in a runnable process of its own, with the same record", async () => {
    await writeFile(join(dir, "emulate.yaml"), "job-executor:\n  type: emulator\n");
    await writeFile(join(dir, "hello_emulated.py"), (await readFile(join(dir, "hello_job.py"), "utf8")).replace("py-job-1", "py-job-1-emulated"));
    const result = await runPythonScript(python, "hello_emulated.py", { cwd: dir, env: { ...env(), RUNNABLE_CONFIGURATION_FILE: "emulate.yaml" } });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const emulated = await readRunLog(dir, "py-job-1-emulated");
    expect(emulated.run_config.job_executor).toMatchObject({ service_name: "emulator", service_type: "job_executor" });
    expect(emulated).toMatchObject({ status: "SUCCESS", steps: {}, job: { status: "SUCCESS" } });
    expect(keyPaths(emulated)).toEqual(keyPaths({ ...(await readRunLog(dir, "py-job-1")), run_config: emulated.run_config }));
  }, 60_000);

  it("refuses a job's catalog get at the line of the Catalog, exit 2, nothing run", async () => {
    await writeFile(
      join(dir, "get_job.py"),
      "from runnable import ShellJob, Catalog\n\nif __name__ == '__main__':\n    c = Catalog(get=['a.csv'])\n    ShellJob(command='true', catalog=c).execute(job_id='get-job-1')\n",
    );
    const result = await runPythonScript(python, "get_job.py", { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/get_job\.py:4:\d+: .*Catalog get is not supported for jobs/);
  }, 60_000);
});

describe("job-executor in the config", () => {
  it("refuses an unknown key of the job executor with file:line before anything runs", async () => {
    await writeFile(join(dir, "bad-job.yaml"), "job-executor:\n  type: local\n  config:\n    docker_image: x\n");
    const made = job(shell({ name: "s", command: "true" }));
    await expect(made.execute({ cwd: dir, configFile: "bad-job.yaml", runId: "bad-cfg-1" })).rejects.toThrow(/bad-job\.yaml:4:\d+.*docker_image/s);
  });
});
