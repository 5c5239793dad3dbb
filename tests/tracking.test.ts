import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractErrors, readRunLog, runCli, runMain, scratchDir } from "./helpers/cli.js";
import { mlflow, mlflowUri } from "./helpers/mlflow.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

const ENV = { spam: "hello", eggs: { ham: "world" }, answer: 42 };
const ENV_STEP = { spam: { "0": "hello", "1": "hey" }, eggs: { "0": { ham: "world" }, "1": { ham: "universe" } }, answer: 42 };
const API = { ...ENV, is_it_true: false };
const API_STEP = { ...ENV_STEP, is_it_true: false };

/** runnable's experiment-tracking page, each example in YAML and TypeScript, with its documented metrics. */
const CASES: Array<[file: string, step: string, metrics: Record<string, unknown>]> = [
  ["examples/experiment-tracking/env.yaml", "shell", ENV],
  ["examples/experiment-tracking/env.ts", "shell", ENV],
  ["examples/experiment-tracking/env-step.yaml", "shell", ENV_STEP],
  ["examples/experiment-tracking/env-step.ts", "shell", ENV_STEP],
  ["examples/experiment-tracking/api.yaml", "emit metrics", API],
  ["examples/experiment-tracking/api.ts", "emit metrics", API],
  ["examples/experiment-tracking/api-step.yaml", "emit metrics", API_STEP],
  ["examples/experiment-tracking/api-step.ts", "emit metrics", API_STEP],
];

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

// What attempts record of metrics (a failed attempt's, keys with _STEP_) is tested on the engine
// harness: tests/engine-metrics.test.ts.

describe("experiment tracking gives runnable's documented user_defined_metrics", () => {
  it.each(CASES.map((c, i) => [c[0], i] as const))("%s", async (file, index) => {
    const [, step, metrics] = CASES[index]!;
    const runId = `track-${index}`;
    // The first example through a real `runnable` process, the others through main() in this process.
    const result = await (index === 0 ? runCli : runMain)(["execute", "-f", file, "--run-id", runId], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const log = await readRunLog(dir, runId);
    expect(await contractErrors(log)).toEqual([]);
    expect(log.steps[step].user_defined_metrics).toEqual(metrics);
    const times = log.steps[step].attempts[0].metric_times_ms;
    expect(Object.keys(times).sort()).toEqual(Object.keys(metrics).sort());
  });
});

describe("secrets never reach the stores or the terminal", () => {
  it("masks secret values everywhere a run writes them", async () => {
    const result = await runCli(["execute", "-f", "examples/secrets/pipeline.yaml", "-c", "examples/configs/dotenv.yaml", "--run-id", "secrets"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const secrets = ["shell type secret", "tok#en=with-hash-and-equals"];
    const files = [
      ...(await readdir(join(dir, ".run_log_store"))).map((f) => join(dir, ".run_log_store", f)),
      ...(await readdir(join(dir, ".catalog", "secrets"))).map((f) => join(dir, ".catalog", "secrets", f)),
    ];
    for (const file of files) for (const secret of secrets) expect(await readFile(file, "utf8")).not.toContain(secret);
    for (const secret of secrets) expect(result.stdout + result.stderr).not.toContain(secret);
    const log = await readRunLog(dir, "secrets");
    expect(log.parameters.leaked).toBe("***");
    expect(log.steps["use in typescript"].user_defined_metrics).toEqual({ oops: "***" });
    expect(await readFile(join(dir, ".catalog/secrets/use_in_shell.execution.log"), "utf8")).toContain("the secret is ***");
  });

  it("fails the step clearly on an unknown secret", async () => {
    await writeFile(
      join(dir, "unknown.yaml"),
      "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: 'true'\n      secrets: [nope]\n      next: success\n",
    );
    const result = await runCli(["execute", "-f", "unknown.yaml", "-c", "examples/configs/dotenv.yaml", "--run-id", "unknown-secret"], { cwd: dir });
    expect(result.code).toBe(1);
    const log = await readRunLog(dir, "unknown-secret");
    expect(log.steps.a.attempts[0].message).toContain("nope");
  });
});

const URI = mlflowUri();
describeNeeding(NEEDS.mlflow, !URI && "no MLflow server: run `scripts/mlflow-server.sh start` (or set MLFLOW_TRACKING_URI)")(
  "metrics mirrored to a real MLflow server",
  () => {
    it("mirrors a run: experiment from the tag, run name, metrics with steps, params, status", async () => {
      const uri = URI!;
      const tag = `demo-runnable-${Date.now().toString(36)}`;
      await writeFile(join(dir, "mlflow.yaml"), `experiment_tracker:\n  type: mlflow\n  config:\n    server_url: ${uri}\n`);
      const result = await runCli(["execute", "-f", "examples/experiment-tracking/mlflow.yaml", "-c", "mlflow.yaml", "--tag", tag, "--run-id", "mirrored"], {
        cwd: dir,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain("warning");
      const { experiment } = await mlflow(uri, `experiments/get-by-name?experiment_name=${tag}`);
      const { runs } = await mlflow(uri, "runs/search", { experiment_ids: [experiment.experiment_id], filter: "attributes.run_name = 'mirrored'" });
      expect(runs).toHaveLength(1);
      const run = runs[0];
      expect(run.info.status).toBe("FINISHED");
      const params = Object.fromEntries(run.data.params.map((p: any) => [p.key, p.value]));
      // Values as runnable's tracker logged them: Python's str() (issue 18 fidelity item 5).
      expect(params).toMatchObject({ spam_0: "hello", spam_1: "hey", eggs_0: "{'ham': 'world'}", is_it_true_0: "False" });
      const tags = Object.fromEntries(run.data.tags.map((t: any) => [t.key, t.value]));
      expect(tags.logged_by_task).toBe("yes");
      const history = async (key: string) =>
        (await mlflow(uri, `metrics/get-history?run_id=${run.info.run_id}&metric_key=${key}`)).metrics.map((m: any) => [m.step, m.value]);
      expect(await history("answer")).toEqual([[0, 42]]);
      expect((await history("loss")).sort()).toEqual([
        [0, 0.5],
        [1, 0.25],
      ]);
      expect((await history("accuracy")).sort()).toEqual([
        [0, 0.9],
        [1, 0.95],
      ]);
    });

    it("marks the MLflow run FAILED when the pipeline fails", async () => {
      const uri = URI!;
      const tag = `failing-${Date.now().toString(36)}`;
      await writeFile(join(dir, "mlflow.yaml"), `experiment_tracker:\n  type: mlflow\n  config:\n    server_url: ${uri}\n`);
      const result = await runCli(["execute", "-f", "examples/default-fail.yaml", "-c", "mlflow.yaml", "--tag", tag, "--run-id", "mirrored-fail"], {
        cwd: dir,
      });
      expect(result.code).toBe(1);
      const { experiment } = await mlflow(uri, `experiments/get-by-name?experiment_name=${tag}`);
      const { runs } = await mlflow(uri, "runs/search", { experiment_ids: [experiment.experiment_id] });
      expect(runs[0].info.status).toBe("FAILED");
    });
  },
);

const SWEEP = `dag:
  start_at: lrs
  steps:
    lrs:
      type: task
      command_type: shell
      command: export RUNNABLE_PRM_lrs='[0.1, 0.01, 0.001]'
      next: sweep
    sweep:
      type: map
      iterate_on: lrs
      iterate_as: lr
      next: success
      branch:
        start_at: train
        steps:
          train:
            type: task
            command_type: shell
            command: |
              export RUNNABLE_TRACK_loss_STEP_0=1
              export RUNNABLE_TRACK_loss_STEP_1=$RUNNABLE_PRM_lr
              export RUNNABLE_TRACK_eggs='{"ham": "world", "n": 2}'
              test "$RUNNABLE_PRM_lr" != "0.1" || test -f fixed
            next: success
          success: { type: success }
          fail: { type: fail }
`;

describe.skipIf(!URI)("a sweep mirrored to a real MLflow server as nested runs", () => {
  const children = async (uri: string, experimentId: string, parentId: string) =>
    (await mlflow(uri, "runs/search", { experiment_ids: [experimentId], filter: `tags.\`mlflow.parentRunId\` = '${parentId}'`, max_results: 100 })).runs ?? [];
  const parentOf = async (uri: string, experimentId: string, runId: string) =>
    (await mlflow(uri, "runs/search", { experiment_ids: [experimentId], filter: `attributes.run_name = '${runId}'` })).runs[0];

  it("gives each map item a child run with its own metric history; retry and --use-cached add no duplicates", async () => {
    const uri = URI!;
    const tag = `sweep-${Date.now().toString(36)}`;
    await writeFile(join(dir, "mlflow.yaml"), `experiment_tracker:\n  type: mlflow\n  config:\n    server_url: ${uri}\n`);
    await writeFile(join(dir, "sweep.yaml"), SWEEP);
    await rm(join(dir, "fixed"), { force: true });
    const first = await runCli(["execute", "-f", "sweep.yaml", "-c", "mlflow.yaml", "--tag", tag, "--run-id", "sweep-a"], { cwd: dir });
    expect(first.code).toBe(1);
    expect(first.stderr).not.toContain("warning");
    const { experiment } = await mlflow(uri, `experiments/get-by-name?experiment_name=${tag}`);
    const parent = await parentOf(uri, experiment.experiment_id, "sweep-a");
    let items = await children(uri, experiment.experiment_id, parent.info.run_id);
    const byName = (runs: any[]) => Object.fromEntries(runs.map((r: any) => [r.info.run_name, r]));
    expect(Object.keys(byName(items)).sort()).toEqual(["sweep.0.001", "sweep.0.01", "sweep.0.1"]);
    const child = byName(items)["sweep.0.01"];
    expect(child.info.status).toBe("FINISHED");
    expect(byName(items)["sweep.0.1"].info.status).toBe("FAILED");
    expect(Object.fromEntries(child.data.params.map((p: any) => [p.key, p.value]))).toEqual({ lr: "0.01", eggs_ham: "world" });
    const tags = Object.fromEntries(child.data.tags.map((t: any) => [t.key, t.value]));
    expect(tags).toMatchObject({ "runnable.run_id": "sweep-a", "runnable.step": "sweep", "runnable.branch": "sweep.0.01" });
    const history = async (runId: string, key: string) =>
      (await mlflow(uri, `metrics/get-history?run_id=${runId}&metric_key=${key}`)).metrics.map((m: any) => [m.step, m.value]).sort();
    expect(await history(child.info.run_id, "loss")).toEqual([
      [0, 1],
      [1, 0.01],
    ]);
    expect(await history(child.info.run_id, "eggs_n")).toEqual([[0, 2]]);
    expect((parent.data.metrics ?? []).map((m: any) => m.key)).not.toContain("loss");

    await writeFile(join(dir, "fixed"), "");
    const retried = await runCli(["retry", "sweep-a", "-c", "mlflow.yaml"], { cwd: dir });
    expect(retried.code, retried.stderr).toBe(0);
    items = await children(uri, experiment.experiment_id, parent.info.run_id);
    expect(items).toHaveLength(3);
    expect(byName(items)["sweep.0.1"].info.status).toBe("FINISHED");
    expect((await parentOf(uri, experiment.experiment_id, "sweep-a")).info.status).toBe("FINISHED");

    await rm(join(dir, "fixed"));
    await writeFile(join(dir, "sweep-b.yaml"), SWEEP);
    const cached = await runCli(["execute", "-f", "sweep.yaml", "-c", "mlflow.yaml", "--tag", tag, "--use-cached", "sweep-a", "--run-id", "sweep-b"], {
      cwd: dir,
    });
    expect(cached.code, cached.stderr).toBe(0);
    const second = await parentOf(uri, experiment.experiment_id, "sweep-b");
    // Every item succeeded in sweep-a: the cached re-run runs none of them, so it has no children.
    expect(await children(uri, experiment.experiment_id, second.info.run_id)).toEqual([]);
  });
});

describe("an unreachable MLflow server never fails or stalls the run", () => {
  it("completes the run with one warning and keeps the metrics in the run log", async () => {
    await writeFile(join(dir, "dead.yaml"), "experiment_tracker:\n  type: mlflow\n  config:\n    server_url: http://127.0.0.1:9\n    timeout_ms: 500\n");
    const started = Date.now();
    const result = await runCli(["execute", "-f", "examples/experiment-tracking/api-step.yaml", "-c", "dead.yaml", "--run-id", "dead-mlflow"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    // Not a speed check (benchmarks do those): a run waiting on the dead server would take minutes; a loaded
    // 2-core machine takes up to ~16 s for this run, so the bound leaves room for that.
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(result.stderr.match(/warning/g)).toHaveLength(1);
    expect(result.stderr).toContain("127.0.0.1:9");
    expect((await readRunLog(dir, "dead-mlflow")).steps["emit metrics"].user_defined_metrics).toEqual(API_STEP);
  });
});
