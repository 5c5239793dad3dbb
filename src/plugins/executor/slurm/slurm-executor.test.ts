import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { allNodes, type TaskNode } from "../../../core/graph.js";
import type { RemoteStep } from "../../../ports/executor.js";
import { graphOf } from "../../../testing/engine-harness.js";
import { buildSlurmConfigSchema } from "./schema.js";
import type { CommandResult, SlurmCommands } from "./slurm-commands.js";
import { createSlurmExecutor } from "./slurm-executor.js";

// The executor's launching side without a cluster: what it submits for the steps the engine hands it.

const graph = graphOf({
  start_at: "list",
  steps: {
    list: { type: "task", command_type: "shell", command: "true", next: "each" },
    each: {
      type: "map",
      iterate_on: "items",
      iterate_as: "item",
      next: "success",
      branch: { start_at: "square", steps: { square: { type: "task", command_type: "shell", command: "true", next: "success" } } },
    },
  },
});
const node = (name: string) => [...allNodes(graph)].find((n): n is TaskNode => n.kind === "task" && n.internalName === name)!;

/** A cluster that accepts every job and reports it COMPLETED at the first look. */
function acceptingSlurm() {
  const submitted: { args: string[]; env: Readonly<Record<string, string>> | undefined }[] = [];
  let next = 100;
  const slurm: SlurmCommands = {
    async run(command, args, env): Promise<CommandResult> {
      if (command === "sbatch" && args.includes("--test-only"))
        return { code: args.includes("--partition=nowhere") ? 1 : 0, stdout: "", stderr: "sbatch: error: invalid partition specified: nowhere\n" };
      if (command === "sbatch") {
        submitted.push({ args: [...args], env });
        return { code: 0, stdout: `${next++}\n`, stderr: "" };
      }
      if (command === "squeue") {
        const ids = args
          .find((arg) => arg.startsWith("--jobs="))!
          .slice(7)
          .split(",");
        const lines = ids.flatMap((id) => {
          const job = submitted[Number(id) - 100]!;
          const array = job.args.find((arg) => arg.startsWith("--array="));
          const count = array ? Number(/0-(\d+)/.exec(array)![1]) + 1 : 0;
          return count ? Array.from({ length: count }, (_, task) => `${id}_${task}|COMPLETED|None|0|`) : [`${id}|COMPLETED|None|0|`];
        });
        return { code: 0, stdout: lines.join("\n"), stderr: "" };
      }
      return { code: 0, stdout: "", stderr: "" };
    },
  };
  return { slurm, submitted };
}

describe("slurm executor (launching side, no cluster)", () => {
  let dir: string;
  beforeEach(async () => void (dir = await mkdtemp(join(tmpdir(), "slurm-executor-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const step = (name: string, mapVariable: RemoteStep["mapVariable"] = []): RemoteStep => ({
    runId: "run-1",
    node: node(name),
    mapVariable,
    pipelineFile: "p.yaml",
    configFile: "c.yaml",
    parametersFile: null,
    tag: "",
    cwd: dir,
    output: { write: () => undefined },
    signal: new AbortController().signal,
    spawn: async () => ({ code: 0, signal: null }),
    spawnStopped: async () => ({ code: 0, signal: null }),
    graceMs: 100,
  });

  it("submits a map step's items launched together as one array, items_per_array_task items per task", async () => {
    const { slurm, submitted } = acceptingSlurm();
    const config = buildSlurmConfigSchema().parse({ items_per_array_task: 2, max_parallel: 3, environment: { A: "1" } });
    const executor = createSlurmExecutor(config, { cwd: dir, env: { PATH: "/bin" }, warn: () => undefined }, slurm);
    expect(executor.capabilities).toEqual({ placement: "launched", retryByRelaunch: true, memoryStore: false, detach: true });
    const items = [1, 2, 3, 4, 5].map((item) => executor.launchStep!(step("each.map_variable_placeholder.square", [["item", item]])));
    const results = await Promise.all([executor.launchStep!(step("list")), ...items]);
    expect(results.map((result) => result.exitCode)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(submitted).toHaveLength(2);
    const array = submitted.find((job) => job.args.some((arg) => arg.startsWith("--array=")))!;
    expect(array.args).toContain("--array=0-2%3");
    expect(array.args).toContain("--job-name=runnable-run-1");
    expect(array.env).toMatchObject({ PATH: "/bin", A: "1", RUNNABLE_SLURM_STEP: "1" });
    const script = await readFile(array.args.at(-1)!, "utf8");
    const itemsFile = /--map-variables-file (\S+)/.exec(script)![1]!;
    expect(JSON.parse(await readFile(itemsFile, "utf8"))).toEqual([[{ item: 1 }, { item: 2 }], [{ item: 3 }, { item: 4 }], [{ item: 5 }]]);
    expect(script).toContain('--chunk "$SLURM_ARRAY_TASK_ID"');
    const ledger = (await readFile(join(dir, ".slurm/run-1/jobs.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(ledger.map((entry) => [entry.job, entry.kind])).toEqual(
      expect.arrayContaining([
        ["100", "step"],
        ["101", "step"],
      ]),
    );
  });

  it("splits a map larger than max_array_tasks into several arrays", async () => {
    const { slurm, submitted } = acceptingSlurm();
    const config = buildSlurmConfigSchema().parse({ max_array_tasks: 2 });
    const executor = createSlurmExecutor(config, { cwd: dir, env: {}, warn: () => undefined }, slurm);
    await Promise.all([1, 2, 3, 4, 5].map((item) => executor.launchStep!(step("each.map_variable_placeholder.square", [["item", item]]))));
    const arrays = submitted.map((job) => job.args.find((arg) => arg.startsWith("--array=")) ?? "single").sort();
    expect(arrays).toEqual(["--array=0-1", "--array=0-1", "single"]);
  });

  it("runs a step in place inside its job: one attempt, no time limit of its own, the walk left to the launcher", () => {
    const config = buildSlurmConfigSchema().parse({ max_step_duration_in_seconds: 60 });
    const executor = createSlurmExecutor(config, { cwd: dir, env: { RUNNABLE_SLURM_STEP: "1" }, warn: () => undefined }, acceptingSlurm().slurm);
    expect(executor.capabilities).toEqual({ placement: "in-process", retryByRelaunch: true, memoryStore: false, underLauncher: true });
    expect(executor.launchStep).toBeUndefined();
    expect(executor.stepTimeLimitMs(node("list"))).toBeUndefined();
  });

  it("asks Slurm about each distinct request before the run, and says what it refused", async () => {
    const config = buildSlurmConfigSchema().parse({ partition: "nowhere" });
    const executor = createSlurmExecutor(config, { cwd: dir, env: {}, warn: () => undefined }, acceptingSlurm().slurm);
    const error = await executor.prepare!(graph).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      "executor slurm: Slurm would refuse the jobs of steps list, each.map_variable_placeholder.square (--partition=nowhere): invalid partition specified: nowhere",
    );
  });

  it("refuses a pipeline without a file (a compute node reads it from there)", async () => {
    const executor = createSlurmExecutor(buildSlurmConfigSchema().parse({}), { cwd: dir, env: {}, warn: () => undefined }, acceptingSlurm().slurm);
    const result = await executor.launchStep!({ ...step("list"), pipelineFile: null });
    expect(result.problem).toMatch(/reads the pipeline from its file/);
  });
});
