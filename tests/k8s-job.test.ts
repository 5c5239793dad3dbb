// The k8s-job / mini-k8s-job job executors (issue 22, item 3): 0.50's config keys (its own example
// configs read as they are), every manifest validated strictly (kubernetes-validate --strict), `mock`
// writes and prints the manifest, `schedule` makes a CronJob; submission through @kubernetes/client-node
// against the Kubernetes API stand-in on 127.0.0.1 (tests/helpers/k8s/), whose pods run as real podman
// containers of the test image: the run log the emulated Job leaves equals a local job's.
import { copyFile, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadServicesConfig } from "../src/config/load-config.js";
import { cronJobManifest, jobManifest } from "../src/plugins/executor/k8s-job/manifest.js";
import { buildK8sJobConfigSchema, type K8sJobConfig } from "../src/plugins/executor/k8s-job/schema.js";
import { builtinRegistry } from "../src/runtime/builtins.js";
import { knownServiceSchemas } from "../src/runtime/compose-services.js";
import { readRunLog, REPO, runCli, runMain, scratchDir } from "./helpers/cli.js";
import { type K8sStandin, startK8sStandin } from "./helpers/k8s/standin.js";
import { validateManifests } from "./helpers/k8s/validate.js";
import { podmanEnv, podmanMissing, testImage } from "./helpers/podman.js";
import { runPythonScript } from "./helpers/python-sdk.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

const EXAMPLES_050 = join(REPO, "tests", "fixtures", "runnable-050", "examples", "11-jobs");
const known = knownServiceSchemas(builtinRegistry());

/** The job-executor of a config file, as the runtime reads it. */
async function jobExecutorOf(file: string, env: Record<string, string> = {}): Promise<{ type: string; config: K8sJobConfig }> {
  const config = await loadServicesConfig({ file, cwd: REPO, env, known });
  return config.jobExecutor as { type: string; config: K8sJobConfig };
}

const input = (name: string) => ({
  name,
  command: ["runnable", "execute-single-node", name, "job"],
  env: { RUNNABLE_K8S_POD: "step" },
  folders: [
    { service: "run_log_store" as const, location: ".run_log_store" },
    { service: "catalog" as const, location: ".catalog" },
  ],
});

describe("k8s-job and mini-k8s-job configs and manifests", () => {
  it("reads runnable 0.50's own example configs (k8s-job, scheduled, mini-k8s-job) with their keys", async () => {
    const k8s = await jobExecutorOf(join(EXAMPLES_050, "k8s-job.yaml"));
    expect(k8s.type).toBe("k8s-job");
    expect(k8s.config).toMatchObject({ pvc_claim_name: "runnable", namespace: "enterprise-mlops", mock: false, jobSpec: { activeDeadlineSeconds: 32000 } });
    const scheduled = await jobExecutorOf(join(EXAMPLES_050, "k8s-scheduled-job.yaml"));
    expect(scheduled.config.schedule).toBe("* * * * *");
    const mini = await jobExecutorOf(join(EXAMPLES_050, "mini-k8s-job.yaml"));
    expect(mini).toMatchObject({ type: "mini-k8s-job", config: { mock: true, mini_k8s_run_log_location: "/volume/run_logs/" } });
  });

  it("renders Jobs and CronJobs that kubernetes-validate --strict accepts (Kubernetes 1.30 and 1.25)", async () => {
    const manifests = [];
    for (const file of ["k8s-job.yaml", "k8s-scheduled-job.yaml", "mini-k8s-job.yaml"]) {
      const { config } = await jobExecutorOf(join(EXAMPLES_050, file));
      manifests.push(config.schedule ? cronJobManifest(config, input("run-a"), config.schedule) : jobManifest(config, input("run-a")));
    }
    const full = buildK8sJobConfigSchema().parse({
      pvc_claim_name: "data",
      namespace: "team-a",
      jobSpec: {
        selector: { matchExpressions: [], matchLabels: { "runnable/run-id": "run-b" } },
        template: {
          metadata: { annotations: { owner: "me" } },
          spec: {
            nodeSelector: { disk: "ssd" },
            tolerations: [{ key: "gpu", operator: "Exists", effect: "NoSchedule", value: null }],
            volumes: [{ name: "scratch", hostPath: { path: "/scratch" } }],
            serviceAccountName: "runner",
            restartPolicy: "OnFailure",
            container: {
              image: "registry.example.com:5000/team/image:1.2",
              env: [
                { name: "MODE", value: "batch" },
                { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "runnable-pg", key: "password" } } },
              ],
              envFrom: [{ secretRef: { name: "runnable-s3" } }, { configMapRef: { name: "settings", optional: true }, prefix: "APP_" }],
              resources: { limits: { cpu: 2, memory: "2Gi", gpu: 1 }, requests: { cpu: "500m", memory: "1Gi" } },
              volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
            },
          },
        },
      },
    });
    manifests.push(jobManifest(full, input("run-b")), cronJobManifest(full, input("run-c"), "@hourly"));
    const container = (manifests.at(-2) as any).spec.template.spec.containers[0];
    expect(container.envFrom).toEqual([{ secretRef: { name: "runnable-s3" } }, { configMapRef: { name: "settings", optional: true }, prefix: "APP_" }]);
    expect(container.env[1]).toEqual({ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "runnable-pg", key: "password" } } });
    for (const version of ["1.30.0", "1.25.0"]) {
      const report = await validateManifests(manifests, { k8sVersion: version });
      expect(report.ok, report.output).toBe(true);
    }
  }, 120_000);

  it("refuses what Kubernetes would refuse, each at its line: unknown key, schedule, image, resources, restartPolicy", async () => {
    const { dir, cleanup } = await scratchDir();
    try {
      const config = [
        "job-executor:",
        "  type: k8s-job",
        "  config:",
        "    pvc_claim_name: data",
        '    schedule: "61 * * * *"',
        "    backofLimit: 3",
        "    jobSpec:",
        "      template:",
        "        spec:",
        "          restartPolicy: Always",
        "          container:",
        "            image: Not A/Valid Image",
        "            resources:",
        "              limits:",
        "                memory: lots",
      ].join("\n");
      await writeFile(join(dir, "bad-k8s.yaml"), `${config}\n`);
      await writeFile(join(dir, "bad_job.py"), "from runnable import ShellJob\n\ndef main():\n    ShellJob(command='true').execute()\n");
      const result = await runMain(["execute-job", "bad_job.main", "--config", "bad-k8s.yaml"], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/bad-k8s\.yaml:5:\d+: .*schedule.*end of range \(61\) above maximum \(59\)/);
      expect(result.stderr).toMatch(/bad-k8s\.yaml:6:\d+: .*backofLimit/);
      expect(result.stderr).toMatch(/bad-k8s\.yaml:10:\d+: .*Never or OnFailure/);
      expect(result.stderr).toMatch(/bad-k8s\.yaml:12:\d+: .*not a valid image reference/);
      expect(result.stderr).toMatch(/bad-k8s\.yaml:15:\d+: .*not a Kubernetes quantity/);
      expect(result.stderr).not.toContain("    at ");
      expect(await readdir(dir)).not.toContain(".run_log_store");
    } finally {
      await cleanup();
    }
  });

  it("with mock: true writes and prints the Job (valid, strictly) instead of submitting it, nothing run", async () => {
    const { dir, cleanup } = await scratchDir();
    try {
      await copyFile(join(EXAMPLES_050, "mini-k8s-job.yaml"), join(dir, "mini.yaml"));
      const result = await runPythonScript("python3", "examples/jobs/shell_job.py", {
        cwd: dir,
        env: {
          PYTHONPATH: `${join(REPO, "python")}:.`,
          RUNNABLE_TS_CLI: join(REPO, "bin", "runnable.js"),
          RUNNABLE_CONFIGURATION_FILE: "mini.yaml",
          RUNNABLE_RUN_ID: "mocked-1",
        },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("mock: the Job above was written to");
      const text = await readFile(join(dir, "mocked-1.job.yaml"), "utf8");
      expect(result.stdout).toContain(text.trim());
      const manifest = parse(text);
      expect(manifest.spec.template.spec.containers[0]).toMatchObject({
        image: "runnable-m1",
        command: ["runnable", "execute-job", "examples.jobs.shell_job.main", "mocked-1", "--config", "mini.yaml"],
        volumeMounts: [
          { name: "run-logs", mountPath: "/project/.run_log_store" },
          { name: "catalog", mountPath: "/project/.catalog" },
        ],
      });
      expect((await validateManifests(text)).ok).toBe(true);
      expect(await readdir(dir)).not.toContain("data");
    } finally {
      await cleanup();
    }
  }, 60_000);
});

describeNeeding(NEEDS.podman, podmanMissing)("k8s-job against the Kubernetes API stand-in (pods as podman containers)", () => {
  let image: string;
  let standin: K8sStandin;
  let dir: string;
  let cleanup: () => Promise<void>;
  let kubeconfig: string;
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...(podmanEnv() as Record<string, string>),
    PYTHONPATH: `${join(REPO, "python")}:.`,
    RUNNABLE_TS_CLI: join(REPO, "bin", "runnable.js"),
    RUNNABLE_VAR_default_docker_image: image,
    RUNNABLE_VAR_kubeconfig: kubeconfig,
    ...extra,
  });
  const shellJob = (config: string, runId: string) =>
    runPythonScript("python3", "examples/jobs/shell_job.py", { cwd: dir, env: env({ RUNNABLE_CONFIGURATION_FILE: config, RUNNABLE_RUN_ID: runId }) });

  beforeAll(async () => {
    image = await testImage();
    ({ dir, cleanup } = await scratchDir());
    // The claim is the submitting machine's working directory: the pod sees .run_log_store and .catalog where it runs.
    standin = await startK8sStandin({ namespaces: ["default", "prod"], allowedNamespaces: ["default"], pvcs: { runnable: dir } });
    kubeconfig = await standin.writeKubeconfig(join(dir, "kubeconfig"));
    // A job that passes only when RUNNABLE_VAR_should_pass is "true" in its pod (the task's command comes
    // from the stored run; the pod gets this machine's RUNNABLE_VAR_* and its container's env/envFrom).
    await writeFile(
      join(dir, "flaky_job.py"),
      'from runnable import ShellJob\n\ndef main():\n    return ShellJob(command=\'[ "$RUNNABLE_VAR_should_pass" = "true" ]\')\n',
    );
  }, 120_000);
  afterAll(async () => {
    await standin?.stop();
    await cleanup?.();
  });

  it("runs a ShellJob as a Kubernetes Job: the run log it leaves equals a local job's, the pod's spec as configured", async () => {
    const result = await shellJob("examples/configs/k8s-job.yaml", "k8s-job-1");
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const local = await shellJob("", "local-job-1");
    expect(local.code, local.stderr).toBe(0);
    const [emulated, here] = [await readRunLog(dir, "k8s-job-1"), await readRunLog(dir, "local-job-1")];
    const shape = (log: Record<string, any>) => ({
      status: log.status,
      steps: log.steps,
      attempts: log.job.attempts.map((a: Record<string, unknown>) => `${a["attempt_number"]} ${a["status"]} ${Object.keys(a).sort().join(",")}`),
      catalog: log.job.data_catalog.map(
        (d: { name: string; stage: string; data_hash: string }) => `${d.stage} ${d.name} ${d.name.endsWith(".log") ? "" : d.data_hash}`,
      ),
      config: Object.keys(log.run_config).sort(),
    });
    expect(shape(emulated)).toEqual(shape(here));
    expect(emulated.run_config.job_executor).toMatchObject({ service_name: "k8s-job", service_type: "job_executor", pvc_claim_name: "runnable" });
    const job = standin.job("default", "k8s-job-1");
    expect(job?.["status"].succeeded).toBe(1);
    const container = job?.["spec"].template.spec.containers[0];
    expect(container.command).toEqual(["runnable", "execute-single-node", "k8s-job-1", "job", "--config-file", "examples/configs/k8s-job.yaml"]);
    expect(container.volumeMounts).toEqual([
      { name: "runnable-data", mountPath: "/project/.run_log_store", subPath: ".run_log_store" },
      { name: "runnable-data", mountPath: "/project/.catalog", subPath: ".catalog" },
    ]);
    const created = standin.requests.filter((r) => r.method === "POST" && r.path.endsWith("/jobs"));
    expect((await validateManifests(created.map((r) => r.body as object))).ok).toBe(true);
  }, 180_000);

  it("retries a failed job under the same run id with a Job of its own (the run id and the attempt), the earlier Job kept", async () => {
    const args = ["execute-job", "flaky_job.main", "k8s-job-1b", "--config", "examples/configs/k8s-job.yaml"];
    const first = await runCli(args, { cwd: dir, env: env({ RUNNABLE_VAR_should_pass: "false" }) });
    expect(first.code, first.stderr).toBe(1);
    expect(standin.job("default", "k8s-job-1b")?.["status"].failed).toBe(1);
    const retried = await runCli(["retry", "k8s-job-1b"], { cwd: dir, env: env({ RUNNABLE_VAR_should_pass: "true" }) });
    expect(retried.code, retried.stderr + retried.stdout).toBe(0);
    const log = await readRunLog(dir, "k8s-job-1b");
    expect(log.job.attempts.map((a: { status: string }) => a.status)).toEqual(["FAIL", "SUCCESS"]);
    const retryJob = standin.job("default", "k8s-job-1b-attempt-2");
    expect(retryJob?.["status"].succeeded).toBe(1);
    expect(retryJob?.["metadata"].labels["runnable/run-id"]).toBe("k8s-job-1b");
    expect(standin.job("default", "k8s-job-1b")?.["status"].failed).toBe(1);
  }, 180_000);

  it("gives the pod variables from a named Secret (envFrom), none of their values in the Job", async () => {
    standin.registerSecret("default", "runnable-credentials", { RUNNABLE_VAR_should_pass: "true" });
    const result = await runCli(["execute-job", "flaky_job.main", "k8s-job-secret", "--config", "examples/configs/k8s-job-secret-env.yaml"], {
      cwd: dir,
      env: env(),
    });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect((await readRunLog(dir, "k8s-job-secret")).job.status).toBe("SUCCESS");
    const created = standin.requests.find((r) => r.method === "POST" && (r.body as any)?.metadata?.name === "k8s-job-secret")?.body as any;
    expect(created.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: "runnable-credentials" } }]);
    expect(JSON.stringify(created)).not.toContain("should_pass");
  }, 180_000);

  it("records a Job the API refuses as the job's failed attempt: 403 outside the allowed namespaces", async () => {
    await writeFile(
      join(dir, "prod.yaml"),
      (await readFile(join(REPO, "examples/configs/k8s-job.yaml"), "utf8")).replace("namespace: default", "namespace: prod"),
    );
    const forbidden = await shellJob("prod.yaml", "k8s-job-403");
    expect(forbidden.code).toBe(0); // 0.50: execute() returns whatever the job's status
    const log = await readRunLog(dir, "k8s-job-403");
    expect(log.job.status).toBe("FAIL");
    expect(log.job.attempts.at(-1).message).toMatch(/403 Forbidden: jobs\.batch is forbidden.*namespace "prod"/);
  }, 180_000);

  it("with schedule, creates a CronJob whose firing runs the job as a run of its own, recorded on the claim", async () => {
    const result = await shellJob("examples/configs/k8s-scheduled-job.yaml", "nightly-job");
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain("CronJob nightly-job created in namespace default");
    const cronJob = standin.cronJob("default", "nightly-job");
    expect(cronJob?.["spec"].schedule).toBe("0 2 * * *");
    expect((await validateManifests([standin.requests.find((r) => r.path.endsWith("/cronjobs") && r.method === "POST")!.body as object])).ok).toBe(true);
    const before = new Set(await readdir(join(dir, ".run_log_store")));
    const fired = await standin.triggerCronJob("default", "nightly-job");
    const done = await standin.waitForJob("default", fired?.["metadata"].name, "Complete", 120_000);
    expect(done?.["status"].succeeded, standin.runs.at(-1)?.log.toString()).toBe(1);
    const made = (await readdir(join(dir, ".run_log_store"))).filter((f) => f.endsWith(".json") && !before.has(f));
    expect(made).toHaveLength(1);
    const log = JSON.parse(await readFile(join(dir, ".run_log_store", made[0]!), "utf8"));
    expect(log).toMatchObject({ status: "SUCCESS", steps: {}, job: { status: "SUCCESS" } });
    expect(log.run_config.job_definition_file).toBe("examples.jobs.shell_job.main");
  }, 180_000);
});
