import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { randomBytes, randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, expect, it } from "vitest";
import { comparableRunLog, entryPointsMissing } from "./helpers/argo-compare.js";
import { runWorkflow, type WfWorkflow } from "./helpers/argo-emulator/index.js";
import { processPodRunner } from "./helpers/argo-emulator/pod-runners.js";
import { workflowValidator } from "./helpers/argo-schema.js";
import { REPO, readRunLog, runCli, runMain, scratchDir } from "./helpers/cli.js";
import { podmanEnv, podmanMissing, testImage } from "./helpers/podman.js";
import { S3_TEST_ENV, noPostgres, noS3, postgresUrl, s3Endpoint } from "./helpers/store-servers.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

/**
 * The team stores where steps run elsewhere: an Argo manifest rendered with a postgres run log store
 * and an s3 catalog runs through the emulator (each pod a real process, no shared folder), and the
 * local-container executor runs each step in a podman container that reaches both servers with the
 * host's PG* / AWS_* variables. Both record what a local file-system run records.
 */

const BUCKET = "runnable-remote-tests";
const missing = noPostgres ?? noS3;
const cleanups: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(cleanups.map((cleanup) => cleanup())));

async function project(config: string): Promise<string> {
  const { dir, cleanup } = await scratchDir();
  cleanups.push(cleanup);
  await writeFile(join(dir, "config.yaml"), config);
  return dir;
}

async function bucket(name = BUCKET): Promise<void> {
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  await s3.send(new CreateBucketCommand({ Bucket: name })).catch(() => undefined);
}

async function localRun(pipeline: string): Promise<Record<string, unknown>> {
  const dir = await project("");
  const runId = `local-${randomUUID().slice(0, 8)}`;
  const result = await runMain(["execute", "-f", pipeline, "--run-id", runId, "-q"], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return readRunLog(dir, runId);
}

const storesConfig = (schema: string, prefix: string) => `run_log_store:
  type: postgres
  config: {connection_url: "${postgresUrl}", schema: ${schema}}
catalog:
  type: s3
  config: {bucket: ${BUCKET}, prefix: ${prefix}, endpoint_url: "${s3Endpoint}", force_path_style: true}
`;

describeNeeding(noPostgres ? NEEDS.postgres : noS3 ? NEEDS.s3 : NEEDS.cli, missing ?? entryPointsMissing)(
  "argo manifest with postgres + s3 run by the emulator",
  () => {
    it.concurrent.each(["examples/catalog-pods.yaml", "examples/concepts/map_shell.yaml"])("%s", async (pipeline) => {
      await bucket();
      const config = `executor:\n  type: argo\n  config:\n    image: runnable-ts:test\n    output_file: workflow.yaml\n${storesConfig(`argo_${randomBytes(4).toString("hex")}`, `argo-${randomBytes(4).toString("hex")}`)}`;
      const dir = await project(config);
      const rendered = await runCli(["execute", "-f", pipeline, "-c", "config.yaml"], { cwd: dir, env: S3_TEST_ENV });
      expect(rendered.code, rendered.stderr).toBe(0);
      expect(rendered.stderr).not.toMatch(/persistent volume/);
      const workflow = parse(await readFile(join(dir, "workflow.yaml"), "utf8")) as WfWorkflow;
      expect(workflowValidator()(workflow)).toEqual([]);
      expect(JSON.stringify(workflow)).not.toContain("persistentVolumeClaim");
      const uid = randomUUID();
      const result = await runWorkflow(workflow, { runPod: processPodRunner({ repo: REPO, cwd: dir, env: { ...process.env, ...S3_TEST_ENV } }), uid });
      expect(
        result.phase,
        JSON.stringify(
          result.nodes.filter((n) => n.phase !== "Succeeded"),
          null,
          1,
        ),
      ).toBe("Succeeded");
      const shown = await runCli(["runs", "show", uid, "-c", "config.yaml", "--json"], { cwd: dir, env: S3_TEST_ENV });
      expect(shown.code, shown.stderr).toBe(0);
      expect(comparableRunLog(JSON.parse(shown.stdout))).toEqual(comparableRunLog(await localRun(pipeline)));
    });
  },
);

describeNeeding(noPostgres ? NEEDS.postgres : noS3 ? NEEDS.s3 : NEEDS.podman, missing ?? podmanMissing)("local-container with postgres + s3", () => {
  it.concurrent("runs every step in a container that reaches both servers, with nothing mounted", async () => {
    await bucket("runnable-container-tests"); // the bucket examples/stores/local-container.yaml names
    const image = await testImage();
    const dir = await project("");
    const pg = new URL(postgresUrl!);
    // The example config (in the image) names no server: the PG* and AWS_* variables do, on the host and (by name) in each container.
    const env = {
      ...(podmanEnv() as Record<string, string>),
      ...S3_TEST_ENV,
      RUNNABLE_VAR_default_docker_image: image,
      PGHOST: pg.hostname,
      PGPORT: pg.port,
      PGUSER: decodeURIComponent(pg.username),
      PGPASSWORD: decodeURIComponent(pg.password),
      PGDATABASE: pg.pathname.slice(1),
      AWS_ENDPOINT_URL_S3: s3Endpoint!,
    };
    const runId = `lc-${randomUUID().slice(0, 8)}`;
    const result = await runCli(["execute", "-f", "examples/catalog-pods.yaml", "-c", "examples/stores/local-container.yaml", "--run-id", runId], {
      cwd: dir,
      env,
    });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain("HELLO FROM RUNNABLE");
    const shown = await runCli(["runs", "show", runId, "-c", "examples/stores/local-container.yaml", "--json"], { cwd: dir, env });
    const log = JSON.parse(shown.stdout);
    expect(log.steps["Create Content"].code_identities.map((identity: { code_identifier_type: string }) => identity.code_identifier_type)).toEqual([
      "git",
      "docker",
    ]);
    expect(comparableRunLog(log)).toEqual(comparableRunLog(await localRun("examples/catalog-pods.yaml")));
  }, 300_000);
});
