import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFailure, type StandinClients, standinClients, standinRequest } from "./client.js";
import { jobManifest, until } from "./fixtures.js";
import { scriptedRunner } from "./pod-runner.js";
import { type K8sStandin, startK8sStandin } from "./standin.js";

// The rest of the stand-in's API surface with a scripted runner: CronJobs, watch resumption,
// deletion policies, pod logs, selectors and paging, dry runs, PATCH rules, and what the kubelet
// emulation hands a container (env from secrets, volumes, working directory).

type Obj = Record<string, any>;

const runner = scriptedRunner((launch) => {
  const script = launch.command?.at(-1) ?? "";
  if (script.includes("sleep forever")) return { hang: true };
  return { exitCode: Number(/exit (\d+)/.exec(script)?.[1] ?? 0), output: script.includes("echo") ? "line 1\nline 2\nline 3\n" : "", delayMs: 5 };
});
let standin: K8sStandin;
let clients: StandinClients;
let pvc: string;

beforeAll(async () => {
  pvc = await mkdtemp(join(tmpdir(), "k8s-pvc-"));
  standin = await startK8sStandin({ runner, pvcs: { "run-data": pvc } });
  clients = await standinClients(standin);
});
afterAll(async () => {
  await clients?.close();
  await standin?.stop();
  await rm(pvc, { recursive: true, force: true });
});

function cronJobManifest(name: string, schedule: string, extra: Obj = {}): Obj {
  const job = jobManifest("unused", "exit 0");
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name },
    spec: { schedule, ...extra, jobTemplate: { metadata: { labels: { from: name } }, spec: job["spec"] } },
  };
}

describe("CronJobs", () => {
  it("rejects a schedule that is not 5-field cron syntax with 422 and robfig/cron's message", async () => {
    const failure = await apiFailure(clients.batch.createNamespacedCronJob({ namespace: "default", body: cronJobManifest("bad", "*/5 * * *") as any }));
    expect(failure.code).toBe(422);
    expect(failure.body["details"].causes).toEqual([
      { reason: "FieldValueInvalid", message: 'Invalid value: "*/5 * * *": expected exactly 5 fields, found 4: [*/5 * * *]', field: "spec.schedule" },
    ]);
    const tz = await apiFailure(clients.batch.createNamespacedCronJob({ namespace: "default", body: cronJobManifest("tz", "TZ=UTC 0 * * * *") as any }));
    expect(tz.body["details"].causes[0].message).toContain("cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
  });

  it("stores a valid CronJob with defaults, and a trigger creates its Job from the template, which runs", async () => {
    const created = await clients.batch.createNamespacedCronJob({ namespace: "default", body: cronJobManifest("nightly", "0 3 * * 1-5") as any });
    expect(created.spec).toMatchObject({ concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    const job = await standin.triggerCronJob("default", "nightly", { scheduledAt: new Date("2024-05-06T03:00:00Z") });
    expect(job?.["metadata"]).toMatchObject({
      name: `nightly-${Math.floor(Date.parse("2024-05-06T03:00:00Z") / 60000)}`,
      labels: { from: "nightly" },
      annotations: { "batch.kubernetes.io/cronjob-scheduled-timestamp": "2024-05-06T03:00:00Z" },
      ownerReferences: [{ kind: "CronJob", name: "nightly", uid: created.metadata?.uid, controller: true }],
    });
    expect(standin.cronJob("default", "nightly")?.["status"]).toMatchObject({
      active: [{ name: job?.["metadata"].name }],
      lastScheduleTime: "2024-05-06T03:00:00Z",
    });
    const done = await standin.waitForJob("default", job?.["metadata"].name, "Complete");
    const cronJob = (await clients.batch.readNamespacedCronJob({ name: "nightly", namespace: "default" })) as Obj;
    expect(cronJob["status"].active).toBeUndefined();
    expect(new Date(cronJob["status"].lastSuccessfulTime).toISOString().replace(".000Z", "Z")).toBe(done?.["status"].completionTime);
  });

  it("honours suspend and concurrencyPolicy Forbid, and prunes finished Jobs to the history limit", async () => {
    await clients.batch.createNamespacedCronJob({ namespace: "default", body: cronJobManifest("paused", "@hourly", { suspend: true }) as any });
    expect(await standin.triggerCronJob("default", "paused")).toBeUndefined();
    const forbid = cronJobManifest("single", "@daily", { concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 1 });
    forbid["spec"].jobTemplate.spec.template.spec.containers[0].command = ["sh", "-c", "sleep forever"];
    await clients.batch.createNamespacedCronJob({ namespace: "default", body: forbid as any });
    expect(await standin.triggerCronJob("default", "single", { jobName: "single-1" })).toBeDefined();
    expect(await standin.triggerCronJob("default", "single", { jobName: "single-2" })).toBeUndefined();
    await clients.batch.deleteNamespacedJob({ name: "single-1", namespace: "default", propagationPolicy: "Background" });
    const limited = cronJobManifest("limited", "@daily", { successfulJobsHistoryLimit: 1 });
    await clients.batch.createNamespacedCronJob({ namespace: "default", body: limited as any });
    for (const name of ["limited-1", "limited-2"]) {
      await standin.triggerCronJob("default", "limited", { jobName: name });
      await standin.waitForJob("default", name, "Complete");
    }
    await standin.waitForJob("default", "limited-1", (job) => job === undefined);
  });
});

describe("watches", () => {
  it("resumes from a resourceVersion, and answers an ERROR event with 410 Expired for one older than the history", async () => {
    const list = await clients.batch.listNamespacedJob({ namespace: "default" });
    const from = String(list.metadata?.resourceVersion);
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("after-list", "exit 0") as any });
    await standin.waitForJob("default", "after-list", "Complete");
    const watch = await clients.watch("/apis/batch/v1/namespaces/default/jobs", { resourceVersion: from, fieldSelector: "metadata.name=after-list" });
    await until(() => watch.events.some((event) => event.object["status"]?.succeeded === 1));
    expect(watch.events[0]?.type).toBe("ADDED");
    expect(Number(watch.events[0]?.object["metadata"].resourceVersion)).toBeGreaterThan(Number(from));
    watch.stop();
    const old = await standinRequest(standin, "GET", "/apis/batch/v1/namespaces/default/jobs?watch=true&resourceVersion=-5");
    expect(JSON.parse(old.text.trim())).toMatchObject({ type: "ERROR", object: { kind: "Status", reason: "Expired", code: 410 } });
  });

  it("watches pods of a Job by label selector and ends at timeoutSeconds", async () => {
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("watched-pods", "exit 0") as any });
    await standin.waitForJob("default", "watched-pods", "Complete");
    const started = Date.now();
    const watch = await standinRequest(standin, "GET", "/api/v1/namespaces/default/pods?watch=true&labelSelector=job-name%3Dwatched-pods&timeoutSeconds=1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const events = watch.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.map((event) => event.type)).toEqual(["ADDED"]);
    expect(events[0].object).toMatchObject({ kind: "Pod", status: { phase: "Succeeded" } });
  });
});

describe("deletion", () => {
  it("Background deletes the Job and kills and deletes its running pods; Orphan leaves them", async () => {
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("bg", "sleep forever") as any });
    await standin.waitForJob("default", "bg", (job) => job?.["status"]?.active === 1);
    await until(() => standin.pods("default", "job-name=bg")[0]?.["status"].phase === "Running");
    await clients.batch.deleteNamespacedJob({ name: "bg", namespace: "default", propagationPolicy: "Background" });
    expect(standin.job("default", "bg")).toBeUndefined();
    await until(() => standin.pods("default", "job-name=bg").length === 0);
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("orphan", "exit 0") as any });
    await standin.waitForJob("default", "orphan", "Complete");
    const answer = await standinRequest(standin, "DELETE", "/apis/batch/v1/namespaces/default/jobs/orphan");
    expect(answer.body).toMatchObject({ kind: "Job", metadata: { name: "orphan", finalizers: ["orphan"] } });
    await standin.waitForJob("default", "orphan", (job) => job === undefined);
    const [pod] = standin.pods("default", "job-name=orphan");
    expect(pod?.["metadata"].ownerReferences).toBeUndefined();
  });

  it("replaces a running pod deleted through the API (it counts as failed)", async () => {
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("replaced", "sleep forever", { backoffLimit: 1 }) as any });
    await until(() => standin.pods("default", "job-name=replaced")[0]?.["status"].phase === "Running");
    const [first] = standin.pods("default", "job-name=replaced");
    await clients.core.deleteNamespacedPod({ name: first?.["metadata"].name, namespace: "default" });
    await until(() => standin.pods("default", "job-name=replaced").some((pod) => pod["metadata"].name !== first?.["metadata"].name));
    expect(standin.job("default", "replaced")?.["status"].failed).toBe(1);
    await clients.batch.deleteNamespacedJob({ name: "replaced", namespace: "default", propagationPolicy: "Foreground" });
    await standin.waitForJob("default", "replaced", (job) => job === undefined);
  });
});

describe("pods, logs, lists", () => {
  it("serves pod logs (whole, tailLines) as CoreV1Api reads them", async () => {
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("logs", "echo lines") as any });
    await standin.waitForJob("default", "logs", "Complete");
    const [pod] = (await clients.core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=logs" })).items;
    expect(await clients.core.readNamespacedPodLog({ name: pod!.metadata!.name!, namespace: "default" })).toBe("line 1\nline 2\nline 3\n");
    expect(await clients.core.readNamespacedPodLog({ name: pod!.metadata!.name!, namespace: "default", tailLines: 1 })).toBe("line 3\n");
  });

  it("lists with label and field selectors and pages with limit/continue", async () => {
    const page = await clients.batch.listNamespacedJob({ namespace: "default", limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.metadata?._continue).toBeTruthy();
    const rest = await clients.batch.listNamespacedJob({ namespace: "default", _continue: page.metadata!._continue! });
    const all = await clients.batch.listNamespacedJob({ namespace: "default" });
    expect([...page.items, ...rest.items].map((job) => job.metadata?.name)).toEqual(all.items.map((job) => job.metadata?.name));
    const byName = await clients.batch.listNamespacedJob({ namespace: "default", fieldSelector: "metadata.name=logs" });
    expect(byName.items.map((job) => job.metadata?.name)).toEqual(["logs"]);
    const bad = await apiFailure(clients.batch.listNamespacedJob({ namespace: "default", fieldSelector: "spec.foo=1" }));
    expect(bad.body).toMatchObject({ code: 400, message: "field label not supported: spec.foo" });
  });

  it("validates without storing on dryRun=All, and refuses changes to immutable Job fields", async () => {
    const dry = await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("dry", "exit 0") as any, dryRun: "All" });
    expect(dry.metadata?.uid).toBeTruthy();
    expect(standin.job("default", "dry")).toBeUndefined();
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("patched", "exit 0") as any });
    const failure = await apiFailure(
      clients.batch.patchNamespacedJob({
        name: "patched",
        namespace: "default",
        body: [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "other:1" }],
      }),
    );
    expect(failure.body).toMatchObject({
      code: 422,
      reason: "Invalid",
      details: { causes: [{ field: "spec.template", message: "Invalid value: {...}: field is immutable" }] },
    });
    const labelled = await standinRequest(
      standin,
      "PATCH",
      "/apis/batch/v1/namespaces/default/jobs/patched",
      { metadata: { labels: { team: "ml" } } },
      { contentType: "application/merge-patch+json" },
    );
    expect(labelled.body["metadata"].labels).toMatchObject({ app: "runnable", team: "ml" });
  });
});

describe("what a container is given", () => {
  it("resolves env (value, $(VAR), secretKeyRef, fieldRef), workingDir, and PVC/hostPath/emptyDir mounts", async () => {
    standin.registerSecret("default", "creds", { password: "s3cret" });
    const manifest = jobManifest("given", "exit 0");
    Object.assign(manifest["spec"].template.spec, {
      volumes: [
        { name: "data", persistentVolumeClaim: { claimName: "run-data" } },
        { name: "scratch", emptyDir: {} },
      ],
    });
    Object.assign(manifest["spec"].template.spec.containers[0], {
      workingDir: "/work",
      args: ["--run", "$(RUN_ID)"],
      env: [
        { name: "RUN_ID", value: "r-1" },
        { name: "LOG", value: "/data/$(RUN_ID).log" },
        { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
        { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      ],
      volumeMounts: [
        { name: "data", mountPath: "/data" },
        { name: "scratch", mountPath: "/tmp/scratch" },
      ],
      resources: { limits: { cpu: "1", memory: "1Gi" } },
    });
    await clients.batch.createNamespacedJob({ namespace: "default", body: manifest as any });
    await standin.waitForJob("default", "given", "Complete");
    const launch = standin.runs.find((run) => run.pod.startsWith("given-"))!.launch;
    expect(launch.env).toEqual([
      ["RUN_ID", "r-1"],
      ["LOG", "/data/r-1.log"],
      ["PASSWORD", "s3cret"],
      ["POD", launch.pod.name],
    ]);
    expect(launch).toMatchObject({ workingDir: "/work", args: ["--run", "r-1"], resources: { limits: { cpu: "1", memory: "1Gi" } } });
    expect(launch.mounts[0]).toEqual({ source: pvc, target: "/data", readOnly: false });
    expect(launch.mounts[1]?.target).toBe("/tmp/scratch");
  });

  it("keeps a pod Pending with the kubelet's reasons when a secret or a claim is missing", async () => {
    const secret = jobManifest("no-secret", "exit 0");
    secret["spec"].template.spec.containers[0].env = [{ name: "X", valueFrom: { secretKeyRef: { name: "absent", key: "k" } } }];
    const claim = jobManifest("no-claim", "exit 0");
    claim["spec"].template.spec.volumes = [{ name: "v", persistentVolumeClaim: { claimName: "unknown" } }];
    claim["spec"].template.spec.containers[0].volumeMounts = [{ name: "v", mountPath: "/v" }];
    for (const body of [secret, claim]) await clients.batch.createNamespacedJob({ namespace: "default", body: body as any });
    await until(
      () => standin.pods("default", "job-name=no-secret")[0]?.["status"].containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError",
    );
    expect(standin.pods("default", "job-name=no-secret")[0]?.["status"].containerStatuses[0].state.waiting.message).toBe('secret "absent" not found');
    await until(() => standin.pods("default", "job-name=no-claim")[0]?.["status"].conditions?.[0]?.reason === "Unschedulable");
    expect(standin.job("default", "no-claim")?.["status"].active).toBe(1);
    expect(await readFile(join(pvc, "missing"), "utf8").catch(() => "absent")).toBe("absent");
  });
});

// kubectl is not installed by the project's scripts; where it is, it works against the stand-in too.
const kubectlMissing = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "kubectl is not installed";
  }
})();

describe.skipIf(kubectlMissing)(`kubectl against the stand-in${kubectlMissing ? ` (skipped: ${kubectlMissing})` : ""}`, () => {
  const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) =>
      execFile("kubectl", ["--kubeconfig", clients.kubeconfigPath, ...args], (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it("creates a Job from a CronJob (`kubectl create job --from=cronjob/...`), gets, describes and reads its logs", async () => {
    await clients.batch.createNamespacedCronJob({ namespace: "default", body: cronJobManifest("kubectl-cron", "@daily") as any });
    const created = await kubectl("create", "job", "--from=cronjob/kubectl-cron", "kubectl-manual");
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: "job.batch/kubectl-manual created\n" });
    expect(
      standin.requests.find((request) => request.method === "POST" && request.path.endsWith("/jobs") && request.query["fieldManager"] === "kubectl-create")
        ?.query,
    ).toMatchObject({
      fieldValidation: "Strict",
    });
    const job = await standin.waitForJob("default", "kubectl-manual", "Complete");
    expect(job?.["metadata"].annotations).toEqual({ "cronjob.kubernetes.io/instantiate": "manual" });
    expect(standin.cronJob("default", "kubectl-cron")?.["status"].lastSuccessfulTime).toBe(job?.["status"].completionTime);
    expect((await kubectl("get", "jobs", "kubectl-manual")).stdout).toMatch(/^NAME\s+AGE\nkubectl-manual\s+\d+s\n$/);
    expect((await kubectl("describe", "job", "kubectl-manual")).stdout).toContain("Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed");
    expect(await kubectl("logs", "job/kubectl-manual")).toMatchObject({ code: 0, stdout: "" });
  });
});
