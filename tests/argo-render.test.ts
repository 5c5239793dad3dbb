import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArgoConfig } from "../src/plugins/executor/argo/schema.js";
import type { ArgoContainerTemplate, ArgoWorkflow } from "../src/plugins/executor/argo/workflow-types.js";
import type { WfWorkflow } from "./helpers/argo-emulator/types.js";
import { ARGO_CONFIGS, argoConfig, dagNamed, executorConfigOf, graphFromYaml, graphOf, podFor, render } from "./helpers/argo-render.js";
import { workflowValidator } from "./helpers/argo-schema.js";
import { manifestProblems } from "./helpers/argo-structure.js";
import { parse } from "yaml";
import { workflowYaml } from "../src/plugins/executor/argo/argo-executor.js";
import { manifestYaml } from "../src/plugins/executor/shared/manifest-yaml.js";
import { REPO } from "./helpers/cli.js";

const PIPELINES = [
  "examples/contrived.yaml",
  "examples/on-failure.yaml",
  "examples/default-fail.yaml",
  "examples/parallel-fail.yaml",
  "examples/retry.yaml",
  "examples/catalog.yaml",
  "examples/concepts/traversal.yaml",
  "examples/concepts/map_shell.yaml",
  "examples/concepts/map_reducer.yaml",
  "examples/concepts/nesting.yaml",
  "examples/concepts/parallel.yaml",
  "examples/concepts/nested_dag.yaml",
  "examples/concepts/task_shell_parameters.yaml",
  "examples/python/map.yaml",
];

let dir: string;
let validate: (manifest: unknown) => unknown[];
let base: ArgoConfig;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "argo-render-"));
  validate = workflowValidator();
  base = argoConfig({ persistent_volumes: [{ name: "runnable-volume", mount_path: "/mnt" }] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const containers = (wf: ArgoWorkflow) => wf.spec.templates.filter((t): t is ArgoContainerTemplate => "container" in t);
const tasksOf = (wf: ArgoWorkflow, name: string) => dagNamed(wf, name).dag.tasks;
const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe("the Argo Workflows schema in contracts/argo-workflows/", () => {
  it("is the unmodified v4.1.2 file its README names", () => {
    const text = readFileSync(join(REPO, "contracts/argo-workflows/schema.json"));
    expect(createHash("sha256").update(text).digest("hex")).toBe("3f84c5722c48a5aa815fe69119a9375fc3635114f8046da20ede55a8596529f5");
  });

  it("rejects unknown keys and non-string IntOrString values once patched", () => {
    const manifest = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: { generateName: "x-" },
      spec: { entrypoint: "main", templates: [{ name: "main", activeDeadlineSeconds: "5", container: { image: "busybox" } }] },
    };
    expect(validate(manifest)).toEqual([]);
    expect(validate({ ...manifest, spec: { ...manifest.spec, entrypiont: "main" } })).not.toEqual([]);
    expect(
      validate({ ...manifest, spec: { ...manifest.spec, templates: [{ name: "main", activeDeadlineSeconds: 5, container: { image: "busybox" } }] } }),
    ).not.toEqual([]);
    expect(
      workflowValidator({ intOrString: true })({
        ...manifest,
        spec: { ...manifest.spec, templates: [{ name: "main", activeDeadlineSeconds: 5, container: { image: "busybox" } }] },
      }),
    ).toEqual([]);
  });
});

describe("every example pipeline with every argo config", () => {
  it.each(PIPELINES)("%s renders schema-valid, well-formed manifests", async (pipeline) => {
    const graph = await graphOf(pipeline);
    for (const file of ARGO_CONFIGS) {
      const { config } = await executorConfigOf(file);
      const { workflow } = render(graph, config as ArgoConfig, { pipelineFile: pipeline, configFile: file, parameters: { simple: 1, text: "x" } });
      // Strict: unknown keys rejected, and IntOrString/Quantity values must be strings.
      expect(validate(json(workflow)), `${pipeline} with ${file}`).toEqual([]);
      expect(manifestProblems(workflow as unknown as WfWorkflow), `${pipeline} with ${file}`).toEqual([]);
      expect(parse(workflowYaml(workflow)), "the YAML written reads back as the manifest").toEqual(json(workflow));
    }
  });
});

describe("the manifest's YAML", () => {
  it("quotes every string a YAML 1.1 or 1.2 parser could read as something else", () => {
    const tricky = [
      "",
      "1",
      "1.5",
      "1e3",
      "0x1f",
      "yes",
      "No",
      "on",
      "OFF",
      "y",
      "true",
      "null",
      "~",
      "-",
      "- a",
      "a: b",
      "#x",
      "x #y",
      "{{item}}",
      "[1]",
      "*a",
      "&a",
      "!t",
      "%p",
      "@a",
      "`a",
      "'a'",
      '"a"',
      "a\nb",
      " a",
      "a ",
      "250m",
      "1Gi",
      "Acquire%Data",
      "ünï",
      "a\tb",
      "\\",
      "a:",
      "a:b",
      "--file",
      "-x",
      "--",
      "---",
      "-1",
      "--1",
      "runnable:demo",
      "x%y",
      "1:20",
      "a::",
      ".5",
      "_x",
      "/p",
    ];
    const value = {
      list: tricky,
      map: Object.fromEntries(tricky.filter(Boolean).map((t, i) => [t, i])),
      nested: [{ a: [1, { b: [] }], c: {} }, [["x"]]],
      n: -2.5,
      t: true,
      z: null,
    };
    expect(parse(manifestYaml(value))).toEqual(value);
    expect(parse(manifestYaml(value), { version: "1.1" })).toEqual(value);
  });
});

const MAP_IN_MAP = `
dag:
  start_at: outer
  steps:
    outer:
      type: map
      iterate_on: rows
      iterate_as: row
      next: success
      branch:
        start_at: inner
        steps:
          inner:
            type: map
            iterate_on: cols
            iterate_as: col
            next: success
            branch:
              start_at: cell
              steps:
                cell: {type: task, command_type: shell, command: 'echo "$RUNNABLE_MAP_VARIABLE"', next: success, on_failure: recover}
                recover: {type: stub, next: success}
                success: {type: success}
                fail: {type: fail}
          success: {type: success}
          fail: {type: fail}
    success: {type: success}
    fail: {type: fail}
`;

describe("a map in a map (with an on_failure-only node inside) with every argo config", () => {
  it("renders schema-valid, well-formed manifests passing both iteration variables", async () => {
    const graph = await graphFromYaml(dir, "map-in-map.yaml", MAP_IN_MAP);
    for (const file of ARGO_CONFIGS) {
      const { config } = await executorConfigOf(file);
      const { workflow } = render(graph, config as ArgoConfig, { configFile: file });
      expect(validate(json(workflow)), file).toEqual([]);
      expect(manifestProblems(workflow as unknown as WfWorkflow), file).toEqual([]);
      const cell = podFor(workflow, "outer.map_variable_placeholder.inner.map_variable_placeholder.cell").container.command;
      expect(cell[cell.indexOf("--map-variable") + 1]).toBe('{"row": {{inputs.parameters.row}}, "col": {{inputs.parameters.col}}}');
      expect(podFor(workflow, "outer.map_variable_placeholder.inner.map_variable_placeholder.recover").inputs).toEqual({
        parameters: [{ name: "row" }, { name: "col" }],
      });
    }
  });
});

describe("structure (§11.5.2)", () => {
  it("renders a chain as the entry DAG with Succeeded dependencies and one pod per step", async () => {
    const { workflow } = render(await graphOf("examples/contrived.yaml"), base, {
      pipelineFile: "examples/contrived.yaml",
      configFile: "examples/configs/argo-config.yaml",
      parametersFile: "p.yaml",
      tag: "t1",
    });
    expect(workflow.spec.entrypoint).toBe("runnable-dag");
    expect(workflow.spec.templates[0]!.name).toBe("runnable-dag");
    const tasks = tasksOf(workflow, "runnable-dag");
    expect(tasks.map((t) => t.name.replace(/-[a-z0-9]{6}$/, ""))).toEqual([
      "acquire-data-stub",
      "prepare-data-stub",
      "extract-features-stub",
      "model-stub",
      "success-success",
    ]);
    expect(tasks[0]!.depends).toBeUndefined();
    tasks.slice(1).forEach((task, i) => {
      expect(task.depends).toBe(`${tasks[i]!.name}.Succeeded`);
    });
    expect(podFor(workflow, "Acquire Data").container.command).toEqual([
      "runnable",
      "execute-single-node",
      "{{workflow.parameters.run_id}}",
      "Acquire%Data",
      "--file",
      "examples/contrived.yaml",
      "--config-file",
      "examples/configs/argo-config.yaml",
      "--parameters-file",
      "p.yaml",
      "--tag",
      "t1",
    ]);
    expect(workflow.spec.arguments.parameters).toEqual([{ name: "run_id", value: "{{workflow.uid}}" }]);
    expect(workflow.spec.templateDefaults).toEqual({ activeDeadlineSeconds: "7200", timeout: "10800s" });
    expect(workflow.spec.volumes).toEqual([{ name: "executor-0", persistentVolumeClaim: { claimName: "runnable-volume" } }]);
    for (const pod of containers(workflow)) expect(pod.container.volumeMounts).toEqual([{ name: "executor-0", mountPath: "/mnt" }]);
    expect(workflow.spec).not.toHaveProperty("retryStrategy");
    expect(workflow.spec.podGC).toEqual({ strategy: "OnPodCompletion" });
  });

  it("renders a map with fan-out, withParam over its output, the item as argument and typed --map-variable", async () => {
    const { workflow } = render(await graphOf("examples/concepts/map_shell.yaml"), base);
    const mapTask = tasksOf(workflow, "runnable-dag")[1]!;
    const map = tasksOf(workflow, mapTask.template);
    const [fanOut, items, fanIn] = map;
    expect(fanOut!.name).toBe(`${mapTask.name}-fan-out`);
    expect(items).toMatchObject({
      name: `${mapTask.name}-map`,
      depends: `${fanOut!.name}.Succeeded`,
      withParam: `{{tasks.${fanOut!.name}.outputs.parameters.iterate-on}}`,
      arguments: { parameters: [{ name: "start_index", value: "{{item}}" }] },
    });
    expect(fanIn!.depends).toBe(`(${items!.name}.Succeeded || ${items!.name}.Failed || ${items!.name}.Errored || ${items!.name}.Skipped)`);
    expect(podFor(workflow, "iterate and execute", "out").outputs).toEqual({ parameters: [{ name: "iterate-on", valueFrom: { path: "/tmp/output.txt" } }] });
    const branch = dagNamed(workflow, items!.template);
    expect(branch.inputs).toEqual({ parameters: [{ name: "start_index" }] });
    for (const task of branch.dag.tasks) expect(task.arguments).toEqual({ parameters: [{ name: "start_index", value: "{{inputs.parameters.start_index}}" }] });
    const execute = podFor(workflow, "iterate and execute.map_variable_placeholder.execute");
    expect(execute.inputs).toEqual({ parameters: [{ name: "start_index" }] });
    const command = execute.container.command;
    expect(command[command.indexOf("--map-variable") + 1]).toBe('{"start_index": {{inputs.parameters.start_index}}}');
  });

  it("passes every enclosing iteration variable through a map → parallel → map nesting", async () => {
    const { workflow } = render(await graphOf("examples/concepts/nesting.yaml"), base);
    const leaf = podFor(workflow, "outer most map.map_variable_placeholder.nested parallel.a.inner most map.map_variable_placeholder.executable");
    const command = leaf.container.command;
    expect(command[command.indexOf("--map-variable") + 1]).toBe('{"xarg": {{inputs.parameters.xarg}}, "yarg": {{inputs.parameters.yarg}}}');
    expect(leaf.inputs).toEqual({ parameters: [{ name: "xarg" }, { name: "yarg" }] });
    const innerFanOut = podFor(workflow, "outer most map.map_variable_placeholder.nested parallel.b.inner most map", "out");
    expect(innerFanOut.container.command.slice(4, 10)).toEqual([
      "--mode",
      "out",
      "--file",
      "pipeline.yaml",
      "--map-variable",
      '{"xarg": {{inputs.parameters.xarg}}}',
    ]);
    expect(containers(workflow)).toHaveLength(4 + 3 + 2 * 5);
  });

  it("renders a parallel's branches after the fan-out and its fan-in after every branch", async () => {
    const { workflow } = render(await graphOf("examples/concepts/parallel.yaml"), base);
    const train = tasksOf(workflow, "runnable-dag")[1]!;
    const [fanOut, a, b, fanIn] = tasksOf(workflow, train.template);
    expect([a!.depends, b!.depends]).toEqual([`${fanOut!.name}.Succeeded`, `${fanOut!.name}.Succeeded`]);
    expect(a!.name).toMatch(/^train-models-xgboost-[a-z0-9]{6}$/);
    expect(fanIn!.depends).toBe(
      `(${a!.name}.Succeeded || ${a!.name}.Failed || ${a!.name}.Errored) && (${b!.name}.Succeeded || ${b!.name}.Failed || ${b!.name}.Errored)`,
    );
    expect(tasksOf(workflow, a!.template).map((t) => t.name.replace(/-[a-z0-9]{6}$/, ""))).toEqual([
      "prepare-for-xgboost-stub",
      "train-xgboost-stub",
      "xgboost-success-success",
    ]);
  });

  it("renders a dag node's sub-pipeline as <name>-branch", async () => {
    const { workflow } = render(await graphOf("examples/concepts/nested_dag.yaml"), base);
    const nested = tasksOf(workflow, "runnable-dag")[1]!;
    expect(tasksOf(workflow, nested.template).map((t) => t.name)).toEqual([`${nested.name}-fan-out`, `${nested.name}-branch`, `${nested.name}-fan-in`]);
    expect(podFor(workflow, "nested.dag.inner").container.command[3]).toBe("nested.dag.inner");
  });

  it("renders nodes reachable only through on_failure, and their successors (runnable did not)", async () => {
    const graph = await graphFromYaml(
      dir,
      "recover.yaml",
      `
dag:
  start_at: step 1
  steps:
    step 1:
      type: task
      command_type: shell
      command: exit 1
      next: step 2
      on_failure: recover
    step 2:
      type: stub
      next: success
    recover:
      type: stub
      next: clean up
    clean up:
      type: stub
      next: success
    success:
      type: success
    fail:
      type: fail
`,
    );
    const { workflow } = render(graph, base);
    const byStep = Object.fromEntries(tasksOf(workflow, "runnable-dag").map((t) => [t.name.replace(/-(task|stub|success)-[a-z0-9]{6}$/, ""), t]));
    expect(Object.keys(byStep)).toEqual(["step-1", "step-2", "recover", "success", "clean-up"]);
    expect(byStep["recover"]!.depends).toBe(`${byStep["step-1"]!.name}.Failed`);
    expect(byStep["clean-up"]!.depends).toBe(`${byStep["recover"]!.name}.Succeeded`);
    expect(byStep["success"]!.depends).toBe(`${byStep["step-2"]!.name}.Succeeded || ${byStep["clean-up"]!.name}.Succeeded`);
    expect(podFor(workflow, "recover")).toBeDefined();
    expect(podFor(workflow, "clean up")).toBeDefined();
    expect(manifestProblems(workflow as unknown as WfWorkflow)).toEqual([]);
    expect(() => podFor(workflow, "fail")).toThrow();
  });

  it("turns max_attempts into the step template's retryStrategy (and the global retry_strategy into every step's)", async () => {
    const { workflow } = render(await graphOf("examples/retry.yaml"), base);
    expect(podFor(workflow, "flaky").retryStrategy).toEqual({
      limit: "2",
      retryPolicy: "Always",
      backoff: { duration: "120", factor: "2", maxDuration: "3600" },
    });
    expect(podFor(workflow, "success").retryStrategy).toBeUndefined();
    const config = argoConfig({ retry_strategy: { limit: 1, retry_policy: "OnFailure", back_off: { duration_in_seconds: 5, factor: 3, max_duration: 60 } } });
    const global = render(await graphOf("examples/concepts/map_shell.yaml"), config).workflow;
    expect(podFor(global, "chunk files").retryStrategy).toEqual({
      limit: "1",
      retryPolicy: "OnFailure",
      backoff: { duration: "5", factor: "3", maxDuration: "60" },
    });
    expect(podFor(global, "iterate and execute", "out").retryStrategy).toBeUndefined();
    expect(global.spec).not.toHaveProperty("retryStrategy");
  });

  it("is deterministic, with valid unique names for long, odd and colliding step names", async () => {
    const long = "A very long step name that goes on and on well beyond what Kubernetes accepts in a label";
    const graph = await graphFromYaml(
      dir,
      "names.yaml",
      `
dag:
  start_at: "${long}"
  steps:
    "${long}":
      type: stub
      next: "1st step"
    "1st step":
      type: stub
      next: "Ünïcode step_x"
    "Ünïcode step_x":
      type: parallel
      next: success
      branches:
        "a b":
          start_at: "${long}"
          steps:
            "${long}": {type: stub, next: success}
            success: {type: success}
            fail: {type: fail}
        "a-b":
          start_at: "${long}"
          steps:
            "${long}": {type: stub, next: success}
            success: {type: success}
            fail: {type: fail}
    success:
      type: success
    fail:
      type: fail
`,
    );
    const first = render(graph, base).workflow;
    const second = render(graph, base).workflow;
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
    const names = first.spec.templates.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(63);
    expect(names.some((n) => n.startsWith("n-1st-step-stub-"))).toBe(true);
    expect(validate(json(first))).toEqual([]);
    expect(manifestProblems(first as unknown as WfWorkflow)).toEqual([]);
  });

  it("renders 1,000 steps in well under a second", async () => {
    const steps = Array.from({ length: 1000 }, (_, i) => `    step ${i}:\n      type: stub\n      next: ${i === 999 ? "success" : `step ${i + 1}`}\n`).join("");
    const graph = await graphFromYaml(
      dir,
      "long.yaml",
      `dag:\n  start_at: step 0\n  steps:\n${steps}    success:\n      type: success\n    fail:\n      type: fail\n`,
    );
    const started = performance.now();
    const { workflow } = render(graph, base);
    const elapsed = performance.now() - started;
    expect(tasksOf(workflow, "runnable-dag")).toHaveLength(1001);
    expect(validate(json(workflow))).toEqual([]);
    expect(elapsed).toBeLessThan(3000);
  });
});
