// The argo executor with runnable 0.20+'s config shape (issue 22, item 4): runnable 0.50.0's own
// configs/argo-config.yaml and argo-cron-config.yaml (defaults, argoWorkflow metadata and spec,
// pvc_for_runnable) render a Workflow, and `cron_schedule` a CronWorkflow, each valid against Argo's
// schema (contracts/argo-workflows/, unknown keys refused); a bad schedule is refused at its line.
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO, runMain, scratchDir } from "./helpers/cli.js";
import { loadArgoSchema } from "./helpers/argo-schema.js";

const CONFIGS_050 = join(REPO, "tests", "fixtures", "runnable-050", "examples", "configs");
const env = { RUNNABLE_VAR_docker_image: "registry.example.com/team/project:1.0" };

/** Errors of `manifest` against Argo's definition `kind` (Workflow, CronWorkflow), unknown keys refused. */
function argoErrors(kind: string, manifest: unknown): unknown[] {
  const schema = loadArgoSchema({ intOrString: true });
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(schema);
  const validate = ajv.getSchema(`${schema.$id}#/definitions/io.argoproj.workflow.v1alpha1.${kind}`)!;
  return validate(manifest) ? [] : (validate.errors ?? []);
}

describe("argo with runnable 0.20+'s config shape", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await scratchDir());
    for (const file of ["argo-config.yaml", "argo-cron-config.yaml"]) await copyFile(join(CONFIGS_050, file), join(dir, file));
  });
  afterAll(() => cleanup());

  it("renders 0.50's argo-config.yaml: defaults, argoWorkflow metadata and spec, pvc_for_runnable", async () => {
    const result = await runMain(["execute", "examples/contrived.yaml", "-c", "argo-config.yaml"], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const workflow = parse(await readFile(join(dir, "argo-pipeline.yaml"), "utf8"));
    expect(workflow.kind).toBe("Workflow");
    expect(workflow.metadata).toMatchObject({ generateName: "argo-", namespace: "enterprise-mlops" });
    expect(workflow.spec.serviceAccountName).toBe("default-editor");
    expect(workflow.spec.volumes).toContainEqual({ name: expect.any(String), persistentVolumeClaim: { claimName: "runnable" } });
    const container = workflow.spec.templates.find((t: { container?: unknown }) => t.container).container;
    expect(container.image).toBe(env.RUNNABLE_VAR_docker_image);
    expect(container.resources).toMatchObject({ limits: { cpu: "2", memory: "4Gi" }, requests: { cpu: "2", memory: "4Gi" } });
    expect(argoErrors("Workflow", workflow)).toEqual([]);
  });

  it("renders cron_schedule as a CronWorkflow named after generateName, valid against Argo's schema", async () => {
    const result = await runMain(["execute", "examples/contrived.yaml", "-c", "argo-cron-config.yaml"], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const cron = parse(await readFile(join(dir, "argo-pipeline.yaml"), "utf8"));
    expect(cron).toMatchObject({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "CronWorkflow",
      metadata: { name: "argo-cron", namespace: "enterprise-mlops" },
      spec: { schedules: ["0 0 * * *"], timezone: "UTC", workflowSpec: { entrypoint: expect.any(String) } },
    });
    expect(argoErrors("CronWorkflow", cron)).toEqual([]);
  });

  it("translates 0.50's defaults.retryStrategy, secret env, failFast: false and camelCase override bundles; refuses what has no equivalent", async () => {
    const config = [
      "pipeline-executor:",
      "  type: argo",
      "  config:",
      "    pvc_for_runnable: runnable",
      "    defaults:",
      "      image: $docker_image",
      "      failFast: false",
      "      retryStrategy:",
      "        limit: 3",
      "        retryPolicy: OnFailure",
      "        backOff: {duration: 1m, factor: 3, maxDuration: 2h}",
      "      env:",
      "        - {environment_variable: PGPASSWORD, secret_name: runnable-pg, secret_key: password}",
      "    overrides:",
      "      big:",
      "        imagePullPolicy: IfNotPresent",
      "        activeDeadlineSeconds: 60",
      "        nodeSelector: {pool: big}",
      "        retryStrategy: {limit: 1}",
      "    argoWorkflow:",
      "      metadata:",
      "        generateName: translated-",
    ].join("\n");
    await writeFile(join(dir, "argo-050-keys.yaml"), `${config}\n`);
    const pipeline = [
      "dag:",
      "  start_at: small",
      "  steps:",
      "    small: {type: task, command_type: shell, command: 'true', next: big}",
      "    big: {type: task, command_type: shell, command: 'true', overrides: {argo: big}, next: success}",
    ].join("\n");
    await writeFile(join(dir, "two-steps.yaml"), `${pipeline}\n`);
    const result = await runMain(["execute", "two-steps.yaml", "-c", "argo-050-keys.yaml"], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const workflow = parse(await readFile(join(dir, "argo-pipeline.yaml"), "utf8"));
    expect(argoErrors("Workflow", workflow)).toEqual([]);
    const templates = workflow.spec.templates.filter((t: { container?: { command: string[] } }) => t.container?.command.includes("execute-single-node"));
    const of = (step: string) => templates.find((t: { container: { command: string[] } }) => t.container.command.includes(step));
    expect(of("small").retryStrategy).toEqual({
      limit: "3",
      retryPolicy: "OnFailure",
      backoff: { duration: "60", factor: "3", maxDuration: "7200" },
    });
    expect(of("small").container.env).toContainEqual({ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "runnable-pg", key: "password" } } });
    expect(of("big")).toMatchObject({ activeDeadlineSeconds: "60", nodeSelector: { pool: "big" }, retryStrategy: { limit: "1" } });
    expect(of("big").container.imagePullPolicy).toBe("IfNotPresent");

    const untranslatable = config
      .replace("      failFast: false", "      failFast: true\n      timeout: 1h")
      .replace("        retryStrategy: {limit: 1}", "        env: [{name: MODE, value: fast}]");
    await writeFile(join(dir, "argo-050-bad.yaml"), `${untranslatable}\n`);
    const refused = await runMain(["execute", "two-steps.yaml", "-c", "argo-050-bad.yaml"], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/argo-050-bad\.yaml:\d+:\d+: unknown key "defaults\.failFast"/);
    expect(refused.stderr).toMatch(/argo-050-bad\.yaml:\d+:\d+: unknown key "defaults\.timeout"/);
    expect(refused.stderr).toMatch(/argo-050-bad\.yaml:20:\d+: unknown key "env" in pipeline-executor\.config\.overrides\.big/);
  });

  it("refuses a schedule that is not a cron expression, and a 0.20+ key it does not translate, each at its line", async () => {
    const text = (await readFile(join(CONFIGS_050, "argo-cron-config.yaml"), "utf8")).replace('"0 0 * * *"', '"0 0 * *"');
    await writeFile(join(dir, "bad-cron.yaml"), text.replace("    defaults:\n", "    defaults:\n      timeout: 1h\n"));
    const result = await runMain(["execute", "examples/contrived.yaml", "-c", "bad-cron.yaml"], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad-cron\.yaml:\d+:\d+: .*expected exactly 5 fields, found 4/);
    expect(result.stderr).toMatch(/defaults\.timeout/);
  });
});
