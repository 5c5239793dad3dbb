// runnable's Python and notebook example pipelines, run with the real CLI (issue 5 conformance).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, contractErrors, readRunLog, runCli, runMain } from "./helpers/cli.js";
import { NEEDS, describeNeeding, itNeeding, skipOrFail } from "./helpers/requirements.js";

/**
 * A scratch working directory whose `examples/` links every example folder except `examples/python`,
 * which is copied: notebooks write `<name>_out.ipynb` beside themselves and the catalog does not
 * follow links, so those runs must not write into the repository.
 */
async function pythonScratch(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "runnable-py-cli-"));
  await mkdir(join(dir, "examples"));
  for (const entry of await readdir(join(REPO, "examples"))) {
    if (entry !== "python") await symlink(join(REPO, "examples", entry), join(dir, "examples", entry));
  }
  const keep = (source: string) => !source.includes("__pycache__") && !/_out[^/]*\.ipynb$/.test(source);
  await cp(join(REPO, "examples/python"), join(dir, "examples/python"), { recursive: true, filter: keep });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const canRun = (python: string, code: string) => {
  try {
    execFileSync(python, ["-c", code], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const NOTEBOOKS =
  canRun("python3", "import nbclient, ipykernel") || (existsSync("/usr/bin/python3") && canRun("/usr/bin/python3", "import nbclient, ipykernel"));
const MISSING_NOTEBOOKS = "notebooks need python3-nbclient and python3-ipykernel (scripts/test-all.sh installs them)";

interface Case {
  file: string;
  args?: string[];
  steps: Record<string, string>;
  parameters: Record<string, unknown>;
  metrics?: Record<string, Record<string, unknown>>;
  notebook?: boolean;
  check?: (log: Record<string, any>, dir: string) => Promise<void> | void;
}

const INITIAL = ["-p", "examples/python/parameters_initial.yaml"];
const CONCEPTS = ["-p", "examples/concepts/parameters.yaml"];
const FS_CATALOG = ["-c", "examples/configs/fs-catalog.yaml"];

/** A notebook example: one step `notebook`; the executed notebook is in the step's data_catalog and the catalog. */
function notebookCase(name: string, parameters: Record<string, unknown>, metrics: Record<string, unknown> = {}): Case {
  const output = `examples/python/notebooks/${name}_out.ipynb`;
  return {
    file: `examples/python/notebooks/${name}.yaml`,
    ...(name === "simple_notebook" ? {} : { args: CONCEPTS }),
    steps: { notebook: "SUCCESS", success: "SUCCESS" },
    parameters,
    metrics: { notebook: metrics },
    notebook: true,
    check: async (log, dir) => {
      const entry = log.steps.notebook.data_catalog.find((e: any) => e.name === output);
      expect(entry).toMatchObject({ stage: "put", catalog_relative_path: `${log.run_id}/${output}` });
      const stored = JSON.parse(await readFile(join(dir, ".catalog", log.run_id, output), "utf8"));
      expect(stored.cells.length).toBeGreaterThan(1);
    },
  };
}

const CASES: Case[] = [
  { file: "examples/python/simple.yaml", steps: { simple: "SUCCESS", success: "SUCCESS" }, parameters: {} },
  {
    file: "examples/python/python-tasks.yaml",
    args: INITIAL,
    steps: { "step 1": "SUCCESS", "step 2": "SUCCESS", success: "SUCCESS" },
    parameters: { simple: 1, inner: { x: 10, y: "hello" }, x: 1, y: { foo: 10, bar: "hello world" } },
    check: (log) => expect(log.steps["step 2"].attempts[0].parameters).toMatchObject({ x: 1, y: { foo: 10, bar: "hello world" } }),
  },
  {
    file: "examples/python/parameters_flow.yaml",
    args: INITIAL,
    steps: { "access initial parameters": "SUCCESS", "return parameters": "SUCCESS", "show final parameters": "SUCCESS", success: "SUCCESS" },
    parameters: { simple: 2, inner: { x: 30, y: "Hello Universe!!" } },
    check: (log) => expect(log.steps["return parameters"].attempts[0].parameters).toEqual({ simple: 1, inner: { x: 10, y: "hello" } }),
  },
  {
    file: "examples/python/parameters_env.yaml",
    args: INITIAL,
    steps: { display: "SUCCESS", "update params": "SUCCESS", "display again": "SUCCESS", success: "SUCCESS" },
    parameters: { simple: 10, inner: { x: 100, y: "world" } },
  },
  {
    file: "examples/python/map.yaml",
    steps: { "chunk files": "SUCCESS", "iterate and execute": "SUCCESS", success: "SUCCESS" },
    parameters: { chunks: [0, 10, 20, 30, 40], stride: 10 },
    check: (log) => {
      const branches = log.steps["iterate and execute"].branches;
      expect(Object.keys(branches)).toEqual([0, 10, 20, 30, 40].map((i) => `iterate and execute.${i}`));
      for (const [name, branch] of Object.entries<any>(branches)) {
        expect(branch.steps[`${name}.execute`].status).toBe("SUCCESS");
        expect(branch.steps[`${name}.execute`].data_catalog[0].name).toBe(`execute.execution.log_${name.split(".")[1]}`);
      }
    },
  },
  {
    file: "examples/python/catalog.yaml",
    args: FS_CATALOG,
    steps: {
      create_content_in_data_folder: "SUCCESS",
      create_content_in_another_folder: "SUCCESS",
      delete_another_folder: "SUCCESS",
      retrieve_content_from_both: "SUCCESS",
      success: "SUCCESS",
    },
    parameters: {},
    check: async (log, dir) => {
      const got = log.steps.retrieve_content_from_both.data_catalog.filter((e: any) => e.stage === "get").map((e: any) => e.name);
      expect(got.sort()).toEqual(["another/world.txt", "data/hello.txt"]);
      expect(await readFile(join(dir, "another/world.txt"), "utf8")).toBe("Hello from another folder!!");
    },
  },
  {
    file: "examples/python/tracking.yaml",
    steps: { "emit metrics": "SUCCESS", "emit env metrics": "SUCCESS", success: "SUCCESS" },
    parameters: { model_name: "linear" },
    metrics: {
      "emit metrics": { spam: { "0": "hello", "1": "hey" }, eggs: { "0": { ham: "world" }, "1": { ham: "universe" } }, answer: 42, is_it_true: false },
      "emit env metrics": { loss: { "0": 0.5, "1": 0.25 }, note: "trained" },
    },
  },
  {
    file: "examples/python/api.yaml",
    args: [...CONCEPTS, ...FS_CATALOG],
    steps: { "modify initial": "SUCCESS", "create content": "SUCCESS", "retrieve content": "SUCCESS", success: "SUCCESS" },
    parameters: { spam: "World", eggs: { ham: "No, Thank you!!" } },
    check: (log) => {
      const put = log.steps["create content"].data_catalog.map((e: any) => `${e.stage} ${e.name}`);
      expect(put).toEqual(["put data/hello.txt", "put numbers.pickle", "put create_content.execution.log"]);
    },
  },
  {
    file: "examples/python/binding.yaml",
    args: ["-p", "examples/python/binding_parameters.yaml"],
    steps: { produce: "SUCCESS", consume: "SUCCESS", success: "SUCCESS" },
    parameters: {
      raw: { nested: [1, { deep: true }] },
      numbers: ["1", "2", "3"],
      weights: { a: 1, b: 2 },
      maybe: null,
      flag: "false",
      extra: "kept",
      total: 6,
      flags: [false, true],
    },
  },
  notebookCase("simple_notebook", {}),
  notebookCase("notebook_native_parameters", { spam: "World", eggs: { ham: "No, Thank you!!" } }),
  notebookCase("notebook_api_parameters", { spam: "Universe?", eggs: { ham: "Maybe, one more!!" } }, { answer: { "1": 20 } }),
  notebookCase("notebook_env_parameters", { spam: "Universe", eggs: { ham: "Maybe, one more!!" } }, { answer: 42 }),
];

describe("runnable's Python and notebook examples through the CLI", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await pythonScratch()));
  afterAll(() => cleanup());

  it.for(CASES.map((c, i) => [c.file, i] as const))("%s", async ([, index], context) => {
    const c = CASES[index]!;
    if (c.notebook) skipOrFail(context, NEEDS.notebooks, !NOTEBOOKS && MISSING_NOTEBOOKS);
    const runId = `py-${index}-${Date.now().toString(36)}`;
    // The first example through a real `runnable` process, the others through main() in this process.
    const run = index === 0 ? runCli : runMain;
    const result = await run(["execute", "-f", c.file, ...(c.args ?? []), "--run-id", runId], { cwd: dir });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const log = await readRunLog(dir, runId);
    expect(await contractErrors(log)).toEqual([]);
    expect(log.status).toBe("SUCCESS");
    expect(Object.fromEntries(Object.entries<any>(log.steps).map(([name, step]) => [name, step.status]))).toEqual(c.steps);
    expect(log.parameters).toEqual(c.parameters);
    for (const [step, metrics] of Object.entries(c.metrics ?? {})) expect(log.steps[step].user_defined_metrics).toEqual(metrics);
    await c.check?.(log, dir);
  });

  it("a Python exception fails the step with its type and message and the run exits 1", async () => {
    await writeFile(
      join(dir, "fails.yaml"),
      "dag:\n  start_at: boom\n  steps:\n    boom:\n      type: task\n      command: examples.python.binding.fail_loudly\n      next: success\n    success:\n      type: success\n    fail:\n      type: fail\n",
    );
    await writeFile(join(dir, "fails-params.yaml"), "total: 5\n");
    const result = await runCli(["execute", "-f", "fails.yaml", "-p", "fails-params.yaml", "--run-id", "py-fails"], { cwd: dir });
    expect(result.code).toBe(1);
    const log = await readRunLog(dir, "py-fails");
    expect(log.steps.boom.attempts[0].message).toBe("ValueError: total was 5, refusing to continue");
    const execution = await readFile(join(dir, ".catalog/py-fails/boom.execution.log"), "utf8");
    expect(execution).toMatch(/Traceback[\s\S]*binding\.py", line \d+, in fail_loudly[\s\S]*ValueError: total was 5/);
  });
});

/** The real MLflow server's URL: $MLFLOW_TRACKING_URI, else the one `scripts/mlflow-server.sh start` wrote. */
function trackingUri(): string | undefined {
  if (process.env["MLFLOW_TRACKING_URI"]) return process.env["MLFLOW_TRACKING_URI"];
  const stateFile = join(REPO, ".cache", "mlflow.env");
  if (!existsSync(stateFile)) return undefined;
  return /^MLFLOW_TRACKING_URI=(.+)$/m.exec(readFileSync(stateFile, "utf8"))?.[1]?.trim();
}

const URI = trackingUri();
const NO_SERVER = "no MLflow server: run `scripts/mlflow-server.sh start` (or set MLFLOW_TRACKING_URI)";

describeNeeding(NEEDS.mlflow, !URI && NO_SERVER)("Python metrics in MLflow", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await pythonScratch()));
  afterAll(() => cleanup());

  async function api(path: string, body?: unknown): Promise<any> {
    const response = await fetch(
      `${URI}/api/2.0/mlflow/${path}`,
      body ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {},
    );
    expect(response.ok, await response.clone().text()).toBe(true);
    return response.json();
  }

  it("track_this and runnable_TRACK_* values from Python reach the MLflow run like TypeScript ones", async () => {
    await writeFile(join(dir, "mlflow.yaml"), `experiment_tracker:\n  type: mlflow\n  config:\n    server_url: ${URI}\n`);
    const tag = `py-mlflow-${Date.now().toString(36)}`;
    const runId = `${tag}-run`;
    const result = await runCli(["execute", "-f", "examples/python/tracking.yaml", "-c", "mlflow.yaml", "--tag", tag, "--run-id", runId], { cwd: dir });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const experiment = (await api(`experiments/get-by-name?experiment_name=${encodeURIComponent(tag)}`)).experiment;
    const runs = (await api("runs/search", { experiment_ids: [experiment.experiment_id], max_results: 5 })).runs;
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(run.info.run_name).toBe(runId);
    const history = async (key: string) =>
      (await api(`metrics/get-history?run_id=${run.info.run_id}&metric_key=${key}`)).metrics.map((m: any) => [m.step, m.value]);
    expect(await history("answer")).toEqual([[0, 42]]);
    expect(await history("loss")).toEqual([
      [0, 0.5],
      [1, 0.25],
    ]);
    const params = Object.fromEntries((run.data.params ?? []).map((p: any) => [p.key, p.value]));
    expect(params).toMatchObject({ spam_0: "hello", spam_1: "hey", note_0: "trained", is_it_true_0: "False" }); // Python's str(), as runnable's tracker logged it
  });

  itNeeding(NEEDS.notebooks, !NOTEBOOKS && MISSING_NOTEBOOKS)("a notebook's track_this metrics reach MLflow too", async () => {
    await writeFile(join(dir, "mlflow.yaml"), `experiment_tracker:\n  type: mlflow\n  config:\n    server_url: ${URI}\n`);
    const tag = `nb-mlflow-${Date.now().toString(36)}`;
    const args = ["execute", "-f", "examples/python/notebooks/notebook_api_parameters.yaml", ...CONCEPTS, "-c", "mlflow.yaml", "--tag", tag];
    const result = await runCli(args, { cwd: dir });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const experiment = (await api(`experiments/get-by-name?experiment_name=${encodeURIComponent(tag)}`)).experiment;
    const [run] = (await api("runs/search", { experiment_ids: [experiment.experiment_id], max_results: 5 })).runs;
    const history = (await api(`metrics/get-history?run_id=${run.info.run_id}&metric_key=answer`)).metrics;
    expect(history.map((m: any) => [m.step, m.value])).toEqual([[1, 20]]);
  });
});
