import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunnableError } from "../src/core/errors.js";
import { argoConfigWarnings, type ArgoConfig } from "../src/plugins/executor/argo/schema.js";
import type { ArgoContainerTemplate, ArgoWorkflow } from "../src/plugins/executor/argo/workflow-types.js";
import { argoConfig, dagNamed, executorConfigOf, graphFromYaml, graphOf, podFor, render } from "./helpers/argo-render.js";
import { workflowValidator } from "./helpers/argo-schema.js";
import { runCli, scratchDir } from "./helpers/cli.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

const containers = (wf: ArgoWorkflow) => wf.spec.templates.filter((t): t is ArgoContainerTemplate => "container" in t);

const MAP_WITH_OVERRIDES = `
dag:
  start_at: prepare
  steps:
    prepare:
      type: task
      command_type: shell
      command: export RUNNABLE_PRM_items='[1, 2]'
      overrides: {argo: big}
      next: each
    each:
      type: map
      iterate_on: items
      iterate_as: item
      overrides: {argo: sequential}
      next: success
      branch:
        start_at: work
        steps:
          work: {type: stub, next: success, overrides: {argo: big}}
          success: {type: success}
          fail: {type: fail}
    success:
      type: success
    fail:
      type: fail
`;

describe("runnable's example argo configs", () => {
  it("argo-config-full.yaml loads: camelCase retry keys ignored with warnings, parallelism 0 = no limit, nulls take defaults", async () => {
    const { config } = await executorConfigOf("examples/configs/argo-config-full.yaml");
    const argo = config as ArgoConfig;
    expect(argoConfigWarnings(argo)).toEqual([
      "executor argo: retry_strategy.retryPolicy is ignored (as runnable ignores it); write retry_strategy.retry_policy instead",
      "executor argo: retry_strategy.backoff is ignored (as runnable ignores it); write retry_strategy.back_off instead",
      "executor argo: parallelism 0 is treated as no limit (Argo would start no pod at all); remove it or set a positive number",
    ]);
    const { workflow } = render(await graphOf("examples/contrived.yaml"), argo);
    expect(workflow.spec).not.toHaveProperty("parallelism");
    expect(workflow.spec.activeDeadlineSeconds).toBe(86400);
    expect(workflow.spec.templateDefaults).toEqual({ activeDeadlineSeconds: "60", timeout: "3660s" });
    expect(workflow.spec.serviceAccountName).toBe("pipeline-runner");
    // The global resources apply (runnable ignored them); requests default to the limits.
    for (const pod of containers(workflow))
      expect(pod.container.resources).toEqual({ limits: { memory: "140Mi", cpu: "100m" }, requests: { memory: "140Mi", cpu: "100m" } });
    for (const pod of containers(workflow)) expect(pod.container.image).toBe("registry.example.com/project:1.0");
  });

  it("argo-config-sequential.yaml puts parallelism 1 on the map a step selects with overrides: {argo: sequential}", async () => {
    const { config } = await executorConfigOf("examples/configs/argo-config-sequential.yaml");
    const graph = await graphFromYaml(dir, "seq.yaml", MAP_WITH_OVERRIDES.replace(/overrides: \{argo: big\}/g, ""));
    const { workflow } = render(graph, config as ArgoConfig);
    const mapTask = dagNamed(workflow, "runnable-dag").dag.tasks[1]!;
    expect(dagNamed(workflow, mapTask.template).parallelism).toBe(1);
    expect(dagNamed(workflow, "runnable-dag")).not.toHaveProperty("parallelism");
  });

  it("rejects unknown keys (e.g. the documented-but-unsupported namespace) and duplicate claims, naming the fix", async () => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(
      join(dir, "bad.yaml"),
      "executor:\n  type: argo\n  config:\n    image: x\n    namespace: team\n    persistent_volumes:\n      - {name: v, mount_path: /mnt}\n      - {name: v, mount_path: /data}\n",
    );
    const error = await executorConfigOf("bad.yaml", dir).catch((e: unknown) => e);
    expect(isRunnableError(error, "CONFIG_INVALID")).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/bad.yaml:5:\d+: unknown key "namespace" in executor.config of executor type argo \(allowed keys: image, /);
    expect(message).toContain("Duplicate claim name v: list each persistent volume claim once");
  });
});

describe("config keys as rendered", () => {
  it("applies override bundles per step: image, resources, deadline, node selector, tolerations, retries", async () => {
    const config = argoConfig({
      node_selector: { pool: "default" },
      overrides: {
        big: {
          image: "runnable:gpu",
          resources: { limits: { memory: "8Gi", cpu: 2, gpu: 1 } },
          max_step_duration_in_seconds: 600,
          node_selector: { pool: "gpu" },
          tolerations: [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }],
          retry_strategy: { limit: 2 },
          image_pull_policy: "Always",
        },
        sequential: { parallelism: 1, fail_fast: true },
      },
    });
    const { workflow } = render(await graphFromYaml(dir, "ov.yaml", MAP_WITH_OVERRIDES), config);
    const prepare = podFor(workflow, "prepare");
    expect(prepare).toMatchObject({
      activeDeadlineSeconds: "600",
      nodeSelector: { pool: "gpu" },
      tolerations: [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }],
      retryStrategy: { limit: "2" },
      container: {
        image: "runnable:gpu",
        imagePullPolicy: "Always",
        resources: { limits: { memory: "8Gi", cpu: "2", "nvidia.com/gpu": "1" }, requests: { memory: "8Gi", cpu: "2" } },
      },
    });
    expect(podFor(workflow, "each.map_variable_placeholder.work").container.image).toBe("runnable:gpu");
    const plain = podFor(workflow, "success");
    expect(plain).not.toHaveProperty("activeDeadlineSeconds");
    expect(plain).not.toHaveProperty("nodeSelector");
    expect(plain.container).toMatchObject({ image: "runnable:demo", resources: { limits: { memory: "1Gi", cpu: "250m" } } });
    expect(plain.container).not.toHaveProperty("imagePullPolicy");
    // Fan pods use the global config, never the node's override.
    expect(podFor(workflow, "each", "out").container.image).toBe("runnable:demo");
    const mapDag = dagNamed(workflow, dagNamed(workflow, "runnable-dag").dag.tasks[1]!.template);
    expect(mapDag).toMatchObject({ parallelism: 1, failFast: true });
    expect(workflow.spec.nodeSelector).toEqual({ pool: "default" });
    expect(workflowValidator()(JSON.parse(JSON.stringify(workflow)))).toEqual([]);
  });

  it("refuses a step whose override key is missing, naming the known keys", async () => {
    const config = argoConfig({ overrides: { big: { image: "x" } } });
    const graph = await graphFromYaml(dir, "missing.yaml", MAP_WITH_OVERRIDES);
    let error: unknown;
    try {
      render(graph, config);
    } catch (e) {
      error = e;
    }
    expect(isRunnableError(error, "CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toBe(
      'No override of key: sequential found in the overrides section (step "each" selects it with overrides: {argo: sequential})',
    );
    expect((error as { hint?: string }).hint).toBe("known override keys: big");
  });

  it("puts Kubernetes secrets and the config variables on every container", async () => {
    const config = argoConfig({ secrets_from_k8s: [{ environment_variable: "API_TOKEN", secret_name: "api", secret_key: "token" }] });
    const { workflow } = render(await graphOf("examples/concepts/map_shell.yaml"), config, { variables: { argo_docker_image: "img:1" } });
    for (const pod of containers(workflow)) {
      expect(pod.container.env).toEqual(
        expect.arrayContaining([
          { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "api", key: "token" } } },
          { name: "RUNNABLE_VAR_argo_docker_image", value: "img:1" },
        ]),
      );
    }
  });

  it("exposes simple parameters as workflow arguments and as env of the first pod only", async () => {
    const parameters = { simple: 1, ratio: 0.5, text: "hello", quoted: "1", flag: true, inner: { x: 1 }, list: [1], "bad key": 2 };
    const { workflow, warnings } = render(await graphOf("examples/parallel-fail.yaml"), argoConfig({}), { parameters });
    expect(workflow.spec.arguments.parameters).toEqual([
      { name: "simple", value: "1" },
      { name: "ratio", value: "0.5" },
      { name: "text", value: "hello" },
      { name: "quoted", value: '"1"' },
      { name: "flag", value: "true" },
      { name: "run_id", value: "{{workflow.uid}}" },
    ]);
    expect(warnings).toEqual([expect.stringContaining('parameter "bad key" is not exposed')]);
    const env = ["simple", "ratio", "text", "quoted", "flag"].map((k) => ({ name: `RUNNABLE_PRM_${k}`, value: `{{workflow.parameters.${k}}}` }));
    expect(podFor(workflow, "step 1").container.env).toEqual(env);
    // The same short name inside a branch does not get them (runnable's defect).
    expect(podFor(workflow, "step 2.branch_a.step 1").container).not.toHaveProperty("env");
    const hidden = render(await graphOf("examples/parallel-fail.yaml"), argoConfig({ expose_parameters_as_inputs: false }), { parameters }).workflow;
    expect(hidden.spec.arguments.parameters).toEqual([{ name: "run_id", value: "{{workflow.uid}}" }]);
  });

  it("gives a composite start node's fan-out pod the exposed parameters", async () => {
    const graph = await graphFromYaml(
      dir,
      "start-map.yaml",
      `
dag:
  start_at: each
  steps:
    each:
      type: map
      iterate_on: items
      iterate_as: item
      next: success
      branch:
        start_at: work
        steps:
          work: {type: stub, next: success}
          success: {type: success}
          fail: {type: fail}
    success: {type: success}
    fail: {type: fail}
`,
    );
    const { workflow } = render(graph, argoConfig({}), { parameters: { items: [1, 2], n: 3 } });
    expect(podFor(workflow, "each", "out").container.env).toEqual([{ name: "RUNNABLE_PRM_n", value: "{{workflow.parameters.n}}" }]);
  });

  it("writes metadata: generateName, labels, annotations", async () => {
    const { workflow } = render(
      await graphOf("examples/contrived.yaml"),
      argoConfig({ name: "nightly-", labels: { team: "ml" }, annotations: { owner: "me" } }),
    );
    expect(workflow.metadata).toEqual({ generateName: "nightly-", annotations: { owner: "me" }, labels: { team: "ml" } });
  });
});

describe("runnable execute -c <argo config>", () => {
  it("writes the manifest, prints the next steps, runs nothing", async () => {
    const result = await runCli(
      ["execute", "-f", "examples/contrived.yaml", "-c", "examples/configs/argo-config.yaml", "-p", "examples/concepts/parameters.yaml"],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Wrote the Argo workflow for examples/contrived.yaml to argo-pipeline.yaml; nothing ran.");
    expect(result.stdout).toContain("argo submit argo-pipeline.yaml");
    expect(result.stdout).toContain("The persistent volume claims runnable-volume must exist");
    const manifest = parse(await readFile(join(dir, "argo-pipeline.yaml"), "utf8"));
    expect(workflowValidator()(manifest)).toEqual([]);
    expect(manifest.spec.arguments.parameters.map((p: { name: string }) => p.name)).toEqual(["spam", "run_id"]);
    expect(existsSync(join(dir, ".run_log_store"))).toBe(false);
  });

  it("writes output_file and warns about stores not on a persistent volume", async () => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(dir, "argo-out.yaml"), "executor:\n  type: argo\n  config:\n    image: x\n    output_file: out/wf.yaml\n");
    const result = await runCli(["execute", "-f", "examples/contrived.yaml", "-c", "argo-out.yaml"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, "out/wf.yaml"))).toBe(true);
    expect(result.stderr).toContain("run_log_store file-system: log_folder .run_log_store is not on a persistent volume");
  });

  it("refuses the buffered run log store before writing anything (exit 2, no stack)", async () => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(
      join(dir, "argo-buffered.yaml"),
      "executor:\n  type: argo\n  config:\n    image: x\n    output_file: never.yaml\nrun_log_store:\n  type: buffered\n",
    );
    const result = await runCli(["execute", "-f", "examples/contrived.yaml", "-c", "argo-buffered.yaml"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Buffered run log store is only supported for local executor (executor argo)");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "never.yaml"))).toBe(false);
  });
});
