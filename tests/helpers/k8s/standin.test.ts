import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFailure, type StandinClients, standinClients, standinRequest } from "./client.js";
import { jobManifest, until } from "./fixtures.js";
import { type ScriptedOutcome, scriptedRunner } from "./pod-runner.js";
import { type K8sStandin, startK8sStandin } from "./standin.js";

// The stand-in through @kubernetes/client-node with a scripted runner (no podman): the Job status
// transitions, the error bodies, watches, CronJobs, TTL and deletion. tests/k8s-standin.test.ts runs
// the same submission path with real containers.

type Obj = Record<string, any>;

// `exit N`, `sleep forever`, `echo text` in the script stand for what a container would do.
function outcome(script: string): ScriptedOutcome {
  if (script.includes("sleep forever")) return { hang: true };
  const output = /echo (.*?)(;|$)/.exec(script)?.[1];
  return { exitCode: Number(/exit (\d+)/.exec(script)?.[1] ?? 0), delayMs: 5, ...(output ? { output: `${output}\n` } : {}) };
}

const runner = scriptedRunner((launch) => outcome(launch.command?.at(-1) ?? ""));
let standin: K8sStandin;
let clients: StandinClients;

beforeAll(async () => {
  standin = await startK8sStandin({ runner, namespaces: ["default", "other"], allowedNamespaces: ["default", "other", "ghost"] });
  clients = await standinClients(standin);
});
afterAll(async () => {
  await clients?.close();
  await standin?.stop();
});

const conditions = (job: Obj | undefined): string[] =>
  ((job?.["status"]?.conditions ?? []) as Obj[]).map((c) => `${c["type"]}${c["reason"] ? `/${c["reason"]}` : ""}`);

describe("Job status transitions (scripted runner)", () => {
  it("creates a Job as the API server does and completes it: startTime, active, then Complete with completionTime", async () => {
    const watch = await clients.watch("/apis/batch/v1/namespaces/default/jobs", { fieldSelector: "metadata.name=ok" });
    const created = await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("ok", "exit 0") as any });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.labels).toEqual({ app: "runnable" });
    expect(created.spec?.template.metadata?.labels).toMatchObject({
      "job-name": "ok",
      "batch.kubernetes.io/job-name": "ok",
      "controller-uid": created.metadata?.uid,
    });
    expect(created.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 0, completionMode: "NonIndexed", suspend: false });
    expect(created.spec?.template.spec?.containers[0]).toMatchObject({ imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log" });
    const job = await standin.waitForJob("default", "ok", "Complete");
    expect(job?.["status"]).toMatchObject({ succeeded: 1, ready: 0, terminating: 0 });
    expect(job?.["status"].active).toBeUndefined();
    expect(Date.parse(job?.["status"].completionTime)).toBeGreaterThanOrEqual(Date.parse(job?.["status"].startTime));
    expect(conditions(job)).toEqual(["Complete"]);
    await until(() => watch.events.some((e) => conditions(e.object).includes("Complete")));
    const types = watch.events.map((event) => event.type);
    expect(types[0]).toBe("ADDED");
    expect(types.slice(1).every((type) => type === "MODIFIED")).toBe(true);
    expect(watch.events.some((e) => e.object["status"]?.active === 1)).toBe(true);
    const [pod] = standin.pods("default", "job-name=ok");
    expect(pod?.["status"]).toMatchObject({
      phase: "Succeeded",
      containerStatuses: [{ name: "main", state: { terminated: { exitCode: 0, reason: "Completed" } } }],
    });
    watch.stop();
  });

  it("retries a failing pod up to backoffLimit (a new pod each time), then fails with BackoffLimitExceeded", async () => {
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("fails", "exit 1", { backoffLimit: 2 }) as any });
    const job = await standin.waitForJob("default", "fails", "Failed");
    expect(conditions(job)).toEqual(["Failed/BackoffLimitExceeded"]);
    expect(job?.["status"]).toMatchObject({ failed: 3, ready: 0 });
    expect(job?.["status"].completionTime).toBeUndefined();
    const pods = (await clients.core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=fails" })).items;
    expect(pods).toHaveLength(3);
    expect(new Set(pods.map((pod) => pod.metadata?.name)).size).toBe(3);
    expect(pods.map((pod) => pod.status?.phase)).toEqual(["Failed", "Failed", "Failed"]);
    expect(pods[0]?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
  });

  it("enforces activeDeadlineSeconds: the running pod is killed and the Job fails with DeadlineExceeded", async () => {
    const started = Date.now();
    await clients.batch.createNamespacedJob({
      namespace: "default",
      body: jobManifest("slow", "sleep forever", { activeDeadlineSeconds: 1, backoffLimit: 5 }) as any,
    });
    const job = await standin.waitForJob("default", "slow", "Failed", 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(conditions(job)).toEqual(["Failed/DeadlineExceeded"]);
    expect(job?.["status"].conditions[0].message).toBe("Job was active longer than specified deadline");
    expect(job?.["status"].failed).toBe(1);
    await until(() => standin.pods("default", "job-name=slow").length === 0);
  });

  it("restarts the container in place under restartPolicy OnFailure, counting restarts against backoffLimit", async () => {
    const manifest = jobManifest("restarts", "exit 3", { backoffLimit: 2 });
    manifest["spec"].template.spec.restartPolicy = "OnFailure";
    await clients.batch.createNamespacedJob({ namespace: "default", body: manifest as any });
    const job = await standin.waitForJob("default", "restarts", "Failed");
    expect(conditions(job)).toEqual(["Failed/BackoffLimitExceeded"]);
    expect(standin.runs.filter((run) => run.pod.startsWith("restarts-"))).toHaveLength(2);
    expect(new Set(standin.runs.filter((run) => run.pod.startsWith("restarts-")).map((run) => run.pod)).size).toBe(1);
  });

  it("runs Indexed completions with parallelism and records completedIndexes", async () => {
    await clients.batch.createNamespacedJob({
      namespace: "default",
      body: jobManifest("indexed", "exit 0", { completions: 3, parallelism: 2, completionMode: "Indexed" }) as any,
    });
    const job = await standin.waitForJob("default", "indexed", "Complete");
    expect(job?.["status"]).toMatchObject({ succeeded: 3, completedIndexes: "0-2" });
    const indexes = standin.pods("default", "job-name=indexed").map((pod) => pod["metadata"].annotations["batch.kubernetes.io/job-completion-index"]);
    expect(indexes.sort()).toEqual(["0", "1", "2"]);
  });

  it("suspends and resumes a Job through PATCH", async () => {
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("paused", "exit 0", { suspend: true }) as any });
    const suspended = await standin.waitForJob("default", "paused", "Suspended");
    expect(suspended?.["status"].startTime).toBeUndefined();
    expect(standin.pods("default", "job-name=paused")).toEqual([]);
    await clients.batch.patchNamespacedJob({ name: "paused", namespace: "default", body: [{ op: "replace", path: "/spec/suspend", value: false }] });
    const job = await standin.waitForJob("default", "paused", "Complete");
    expect(job?.["status"].conditions.find((c: Obj) => c["type"] === "Suspended")).toMatchObject({ status: "False", reason: "JobResumed" });
  });

  it("deletes a finished Job after ttlSecondsAfterFinished (pods with it)", async () => {
    const watch = await clients.watch("/apis/batch/v1/namespaces/default/jobs", { fieldSelector: "metadata.name=short-lived" });
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("short-lived", "exit 0", { ttlSecondsAfterFinished: 0 }) as any });
    await until(() => watch.events.some((event) => event.type === "DELETED"));
    expect(conditions(watch.events.find((event) => event.type === "DELETED")?.object)).toEqual(["Complete"]);
    expect(standin.job("default", "short-lived")).toBeUndefined();
    await until(() => standin.pods("default", "job-name=short-lived").length === 0);
  });

  it("adds SuccessCriteriaMet / FailureTarget before Complete / Failed from Kubernetes 1.31", async () => {
    const newer = await startK8sStandin({ runner, k8sVersion: "1.31.0" });
    try {
      const newerClients = await standinClients(newer);
      await newerClients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("ok", "exit 0") as any });
      await newerClients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("bad", "exit 1") as any });
      expect(conditions(await newer.waitForJob("default", "ok", "Complete"))).toEqual(["SuccessCriteriaMet/CompletionsReached", "Complete/CompletionsReached"]);
      expect(conditions(await newer.waitForJob("default", "bad", "Failed"))).toEqual(["FailureTarget/BackoffLimitExceeded", "Failed/BackoffLimitExceeded"]);
      await newerClients.close();
    } finally {
      await newer.stop();
    }
  });
});

describe("API errors as Status bodies", () => {
  it("answers 409 AlreadyExists for a taken name", async () => {
    await clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("twice", "exit 0") as any });
    const failure = await apiFailure(clients.batch.createNamespacedJob({ namespace: "default", body: jobManifest("twice", "exit 0") as any }));
    expect(failure.code).toBe(409);
    expect(failure.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'jobs.batch "twice" already exists',
      reason: "AlreadyExists",
      details: { name: "twice", group: "batch", kind: "jobs" },
      code: 409,
    });
  });

  it("answers 422 Invalid with one cause per field error", async () => {
    const manifest = jobManifest("Bad_Name", "exit 0", { backoffLimit: -1 });
    manifest["spec"].template.spec.restartPolicy = "Always";
    delete manifest["spec"].template.spec.containers[0].image;
    const failure = await apiFailure(clients.batch.createNamespacedJob({ namespace: "default", body: manifest as any }));
    expect(failure.code).toBe(422);
    expect(failure.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Invalid",
      code: 422,
      details: { name: "Bad_Name", group: "batch", kind: "Job" },
    });
    const causes = failure.body["details"].causes as Obj[];
    expect(causes.map((cause) => `${cause["reason"]} ${cause["field"]}`)).toEqual([
      "FieldValueInvalid metadata.name",
      "FieldValueInvalid spec.backoffLimit",
      "FieldValueNotSupported spec.template.spec.restartPolicy",
      "FieldValueRequired spec.template.spec.containers[0].image",
    ]);
    expect(causes.find((cause) => cause["field"] === "spec.template.spec.restartPolicy")?.message).toBe(
      'Unsupported value: "Always": supported values: "OnFailure", "Never"',
    );
    expect(failure.body["message"]).toMatch(/^Job\.batch "Bad_Name" is invalid: \[metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  });

  it("rejects unknown fields and wrong types as strict decoding does (400 BadRequest)", async () => {
    const unknown = jobManifest("unknown-field", "exit 0", { backofLimit: 3 });
    unknown["spec"].template.spec.containers[0].workdir = "/x";
    const failure = await standinRequest(standin, "POST", "/apis/batch/v1/namespaces/default/jobs", unknown);
    expect(failure.status).toBe(400);
    expect(failure.body).toMatchObject({
      kind: "Status",
      reason: "BadRequest",
      code: 400,
      message:
        'Job in version "v1" cannot be handled as a Job: strict decoding error: unknown field "spec.backofLimit", unknown field "spec.template.spec.containers[0].workdir"',
    });
    const wrongType = await standinRequest(
      standin,
      "POST",
      "/apis/batch/v1/namespaces/default/jobs",
      jobManifest("wrong-type", "exit 0", { backoffLimit: "2" }),
    );
    expect(wrongType.body["message"]).toBe(
      'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal string into Go struct field JobSpec.spec.backoffLimit of type int32',
    );
    expect(standin.job("default", "unknown-field")).toBeUndefined();
  });

  it("never sees unknown fields from the typed client: @kubernetes/client-node drops them while serialising", async () => {
    const unknown = jobManifest("typed-unknown", "exit 0", { backofLimit: 3 });
    const created = await clients.batch.createNamespacedJob({ namespace: "default", body: unknown as any });
    expect(created.spec?.backoffLimit).toBe(0);
    expect(standin.requests.findLast((request) => request.method === "POST")?.body).not.toHaveProperty("spec.backofLimit");
  });

  it("answers 403 Forbidden outside the allowed namespaces, 404 for a missing one, 401 without the token", async () => {
    const forbidden = await apiFailure(clients.batch.createNamespacedJob({ namespace: "kube-system", body: jobManifest("x", "exit 0") as any }));
    expect(forbidden.code).toBe(403);
    expect(forbidden.body).toMatchObject({
      reason: "Forbidden",
      message:
        'jobs.batch is forbidden: User "system:serviceaccount:default:runnable" cannot create resource "jobs" in API group "batch" in the namespace "kube-system"',
    });
    const missing = await apiFailure(clients.batch.createNamespacedJob({ namespace: "ghost", body: jobManifest("x", "exit 0") as any }));
    expect(missing).toMatchObject({
      code: 404,
      body: { reason: "NotFound", message: 'namespaces "ghost" not found', details: { name: "ghost", kind: "namespaces" } },
    });
    const notFound = await apiFailure(clients.batch.readNamespacedJob({ name: "nope", namespace: "default" }));
    expect(notFound.body).toMatchObject({ code: 404, reason: "NotFound", message: 'jobs.batch "nope" not found' });
    const unauthorized = await standinRequest(standin, "GET", "/apis/batch/v1/namespaces/default/jobs", undefined, { token: "wrong" });
    expect(unauthorized).toMatchObject({ status: 401, body: { kind: "Status", reason: "Unauthorized", message: "Unauthorized", code: 401 } });
  });
});
