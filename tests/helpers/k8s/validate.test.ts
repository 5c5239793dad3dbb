import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standinRequest } from "./client.js";
import { jobManifest } from "./fixtures.js";
import { scriptedRunner } from "./pod-runner.js";
import { type K8sStandin, startK8sStandin } from "./standin.js";
import { schemaErrors, validateManifests } from "./validate.js";

// Strict manifest validation with PyPI's kubernetes-validate, and agreement with the stand-in, which
// loads the same schema files: what one rejects at the schema level the other rejects too.

type Obj = Record<string, any>;

const cronJob = (schedule: string): Obj => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "nightly" },
  spec: { schedule, jobTemplate: { spec: jobManifest("x", "exit 0")["spec"] } },
});

describe("validateManifests (kubernetes-validate --strict)", () => {
  it("passes valid Jobs and CronJobs given as YAML text or objects", async () => {
    const report = await validateManifests([jobManifest("ok", "exit 0"), cronJob("0 3 * * *")]);
    expect(report.ok, report.output).toBe(true);
    expect(report.results.map((result) => `${result.level} ${result.resource}`)).toEqual(["INFO job/ok", "INFO cronjob/nightly"]);
    const yaml =
      "apiVersion: batch/v1\nkind: Job\nmetadata: {name: y}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: a, image: b}]\n";
    expect((await validateManifests(yaml, { k8sVersion: "1.28.0" })).ok).toBe(true);
  });

  it("rejects unknown fields, and kinds it has no schema for unless allowed", async () => {
    const typo = jobManifest("typo", "exit 0");
    typo["spec"].template.spec.containers[0].imagePullPolice = "Never";
    const report = await validateManifests([typo]);
    expect(report.ok).toBe(false);
    expect(report.results[0]).toMatchObject({ level: "ERROR", resource: "job/typo" });
    expect(report.results[0]?.message).toContain("'imagePullPolice' was unexpected");
    const workflow = { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: "w" } };
    expect((await validateManifests([workflow])).ok).toBe(false);
    expect((await validateManifests([workflow], { allowUnknownKinds: true })).ok).toBe(true);
  });

  it("schemaErrors lists every error (kubernetes-validate reports one per resource)", () => {
    const bad = jobManifest("bad", "exit 0", { backofLimit: 1 });
    bad["spec"].template.spec.containers[0].workdir = "/x";
    delete bad["spec"].template.spec.containers[0].name;
    expect(schemaErrors(bad as { kind: string; apiVersion: string })).toEqual([
      "spec.backofLimit: unknown field",
      "spec.template.spec.containers[0].name: required",
      "spec.template.spec.containers[0].workdir: unknown field",
    ]);
  });
});

describe("the stand-in and kubernetes-validate agree at the schema level", () => {
  let standin: K8sStandin;
  beforeAll(async () => (standin = await startK8sStandin({ runner: scriptedRunner(() => ({ exitCode: 0 })) })));
  afterAll(() => standin?.stop());

  const variants: [string, (job: Obj) => void][] = [
    ["valid", () => {}],
    ["unknown field in spec", (job) => (job["spec"].completionsMode = "Indexed")],
    ["unknown field in a container", (job) => (job["spec"].template.spec.containers[0].cmd = ["x"])],
    ["wrong type", (job) => (job["spec"].parallelism = "two")],
    ["missing container name", (job) => delete job["spec"].template.spec.containers[0].name],
    ["unknown field in a volume", (job) => (job["spec"].template.spec.volumes = [{ name: "v", hostPath: { path: "/x", kind: "Directory" } }])],
  ];

  it.each(variants)("%s", async (name, change) => {
    const job = jobManifest(`agree-${variants.findIndex(([n]) => n === name)}`, "exit 0");
    change(job);
    const verdict = await validateManifests([job]);
    const answer = await standinRequest(standin, "POST", "/apis/batch/v1/namespaces/default/jobs?dryRun=All", job);
    expect(answer.status < 300, `${answer.text}\n${verdict.output}`).toBe(verdict.ok);
  });
});
