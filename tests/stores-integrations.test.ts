import { describe, expect, it } from "vitest";
import { containerRunCommand, serviceEnvNames } from "../src/plugins/executor/local-container/container-run.js";
import { type IntegrationInput, findingsForConfigs, setupForConfigs } from "../src/runtime/integrations.js";

/** The keys an executor's config requires (the rules are evaluated on services created from valid configs). */
const K8S_JOB = { pvc_claim_name: "data", jobSpec: { template: { spec: { container: { image: "img" } } } } };
const REQUIRED: Record<string, Record<string, unknown>> = { argo: { image: "img" }, "local-container": { docker_image: "img" }, "k8s-job": K8S_JOB };

const input = (executor: string, overrides: Partial<IntegrationInput> = {}): IntegrationInput => ({
  executor: { type: executor, config: REQUIRED[executor] ?? {} },
  run_log_store: { type: "postgres", config: { connection_url: "postgres://runnable:pw@db.internal/runs" } },
  catalog: { type: "s3", config: { bucket: "team", prefix: "catalog" } },
  secrets: { type: "dotenv" },
  experiment_tracker: { type: "do-nothing" },
  ...overrides,
});

const messages = (found: Awaited<ReturnType<typeof findingsForConfigs>>, service: string) =>
  found.filter((f) => f.service === service).map((f) => `${f.level}: ${f.message}`);

describe("integration rules for the stores on a server", () => {
  it("local-container: nothing mounted, the host's PG*/AWS_* variables passed by name", async () => {
    const found = await findingsForConfigs(input("local-container"));
    expect(messages(found, "run_log_store")).toEqual([
      expect.stringMatching(/^info: run_log_store postgres: nothing is mounted; each container connects to the server itself .*PGPASSWORD/),
    ]);
    expect(messages(found, "catalog")).toEqual([expect.stringMatching(/^info: catalog s3: nothing is mounted; .*AWS_ACCESS_KEY_ID/)]);
  });

  it("argo: credentials from Kubernetes secrets; a loopback address is flagged without its password", async () => {
    expect(messages(await findingsForConfigs(input("argo")), "run_log_store")).toEqual([
      expect.stringMatching(/^info: run_log_store postgres: nothing is mounted; pods connect .*secrets_from_k8s/),
    ]);
    const loopback = await findingsForConfigs(
      input("argo", { run_log_store: { type: "postgres", config: { connection_url: "postgres://u:secret@127.0.0.1:5432/x" } } }),
    );
    const [warning] = messages(loopback, "run_log_store");
    expect(warning).toMatch(/^warning: run_log_store postgres: connection_url postgres:\/\/\*\*\*@127\.0\.0\.1:5432\/x points at the pod itself/);
    expect(warning).not.toContain("secret");
    expect(
      messages(
        await findingsForConfigs(input("argo", { catalog: { type: "s3", config: { bucket: "bkt", endpoint_url: "http://localhost:9000" } } })),
        "catalog",
      )[0],
    ).toMatch(/^warning: catalog s3: endpoint_url http:\/\/localhost:9000 points at the pod itself/);
  });

  it("k8s-job: the pod's credentials from a Secret (envFrom or valueFrom), never this machine's values; none given is a warning", async () => {
    const bare = await findingsForConfigs(input("k8s-job"));
    expect(messages(bare, "run_log_store")).toEqual([
      expect.stringMatching(/^warning: run_log_store postgres: the pod connects to the server itself, but its container gets none of PGHOST.*envFrom/),
    ]);
    expect(messages(bare, "catalog")).toEqual([expect.stringMatching(/^warning: catalog s3: .*AWS_ACCESS_KEY_ID/)]);
    const container = {
      image: "img",
      env: [{ name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "s3", key: "secret" } } }],
      envFrom: [{ secretRef: { name: "runnable-pg" } }],
    };
    const given = await findingsForConfigs(
      input("k8s-job", { executor: { type: "k8s-job", config: { ...K8S_JOB, jobSpec: { template: { spec: { container } } } } } }),
    );
    expect(messages(given, "run_log_store")).toEqual([expect.stringMatching(/^info: run_log_store postgres: the pod connects to the server itself/)]);
    expect(messages(given, "catalog")).toEqual([expect.stringMatching(/^info: catalog s3: /)]);
    expect(messages(await findingsForConfigs(input("k8s-job", { secrets: { type: "env-secrets-manager" } })), "secrets")).toEqual([
      expect.stringMatching(/^warning: secrets env-secrets-manager with executor k8s-job: the pod reads its own environment/),
    ]);
  });

  it("local: nothing to say; one bucket and prefix for both is a warning", async () => {
    expect(messages(await findingsForConfigs(input("local")), "run_log_store")).toEqual([]);
    const same = { type: "s3", config: { bucket: "team", prefix: "x/" } };
    expect(
      messages(await findingsForConfigs(input("local", { run_log_store: same, catalog: { type: "s3", config: { bucket: "team", prefix: "x" } } })), "catalog"),
    ).toEqual([expect.stringMatching(/^warning: catalog s3 and run_log_store s3 share one bucket and prefix/)]);
  });

  it("passes only the variables that are set, by name, never their values", async () => {
    const { peers } = await setupForConfigs(input("local-container"));
    const names = serviceEnvNames(peers.services, { PGPASSWORD: "pw", PGHOST: "h", AWS_SECRET_ACCESS_KEY: "s", HOME: "/root" });
    expect(names.sort()).toEqual(["AWS_SECRET_ACCESS_KEY", "PGHOST", "PGPASSWORD"]);
    const run = containerRunCommand({
      runtime: "podman",
      settings: { image: "img", autoRemove: true, runInLocal: false, environment: { PGHOST: "from-config" }, maxStepDurationSeconds: null },
      runId: "r",
      internalName: "s",
      mapVariable: [],
      pipelineFile: "p.yaml",
      configFile: null,
      parametersFile: null,
      tag: "",
      mounts: [],
      contextEnv: {},
      name: "n",
      passEnv: names,
    });
    expect(run.args.join(" ")).toContain("-e PGHOST=from-config");
    expect(run.args.join(" ")).toContain("-e AWS_SECRET_ACCESS_KEY -e PGPASSWORD img");
    expect(run.args.join(" ")).not.toMatch(/=pw|=s\b/);
  });
});
