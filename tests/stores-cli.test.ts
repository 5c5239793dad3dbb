import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { comparableRunLog } from "./helpers/argo-compare.js";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { S3_TEST_ENV, noPostgres, noS3, postgresUrl, s3Endpoint, withDatabase } from "./helpers/store-servers.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

/**
 * The team stores end to end through the real `runnable` command: pipelines run with the postgres and
 * s3 stores (and the s3 catalog) record what a local file-system run records; `runs list/show` read
 * them back; wrong settings fail with a message naming the setting.
 */

const cleanups: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(cleanups.map((cleanup) => cleanup())));

async function project(config: string): Promise<string> {
  const { dir, cleanup } = await scratchDir();
  cleanups.push(cleanup);
  await writeFile(join(dir, "config.yaml"), config);
  return dir;
}

const postgresConfig = (schema: string, url = postgresUrl) => `run_log_store:
  type: postgres
  config:
    connection_url: "${url}"
    schema: ${schema}
`;

const BUCKET = "runnable-cli-tests";
const s3Config = (prefix: string, bucket = BUCKET) => `run_log_store:
  type: s3
  config: {bucket: ${bucket}, prefix: ${prefix}/runs, endpoint_url: "${s3Endpoint}", force_path_style: true}
catalog:
  type: s3
  config: {bucket: ${bucket}, prefix: ${prefix}/catalog, endpoint_url: "${s3Endpoint}", force_path_style: true}
`;

const PIPELINES = ["examples/catalog-pods.yaml", "examples/concepts/map_shell.yaml", "examples/concepts/nesting.yaml", "examples/default-fail.yaml"];

async function expectSameAsLocal(pipeline: string, config: string, env: Record<string, string> = {}): Promise<void> {
  const local = await project("");
  const dir = await project(config);
  const localId = `local-${randomUUID().slice(0, 8)}`;
  const runId = `team-${randomUUID().slice(0, 8)}`;
  const [expected, actual] = await Promise.all([
    runCli(["execute", "-f", pipeline, "--run-id", localId, "-q"], { cwd: local }),
    runCli(["execute", "-f", pipeline, "-c", "config.yaml", "--run-id", runId, "-q"], { cwd: dir, env }),
  ]);
  expect(actual.code, actual.stderr).toBe(expected.code);
  const shown = await runCli(["runs", "show", runId, "-c", "config.yaml", "--json"], { cwd: dir, env });
  expect(shown.code, shown.stderr).toBe(0);
  expect(comparableRunLog(JSON.parse(shown.stdout))).toEqual(comparableRunLog(await readRunLog(local, localId)));
  const listed = await runCli(["runs", "list", "-c", "config.yaml", "--json"], { cwd: dir, env });
  expect(JSON.parse(listed.stdout).map((run: { run_id: string }) => run.run_id)).toContain(runId);
}

describeNeeding(NEEDS.postgres, noPostgres)("CLI runs with the postgres store", () => {
  it.each(PIPELINES)("%s records what a local run records", async (pipeline) => {
    await expectSameAsLocal(pipeline, postgresConfig(`cli_${randomBytes(4).toString("hex")}`));
  });

  it("refuses wrong credentials and a missing database with a message naming the setting (exit 2, no stack)", async () => {
    const wrong = new URL(postgresUrl!);
    wrong.password = "not-the-password";
    const dir = await project(postgresConfig("public", wrong.toString()));
    const bad = await runCli(["execute", "-f", "examples/contrived.yaml", "-c", "config.yaml"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/refused the credentials of user "postgres"/);
    expect(bad.stderr).toContain("connection_url");
    expect(bad.stderr).not.toContain("not-the-password");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const missing = await project(postgresConfig("public", withDatabase(postgresUrl!, "no_such_db")));
    const none = await runCli(["runs", "list", "-c", "config.yaml"], { cwd: missing });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/database "no_such_db" does not exist/);
  });
});

describeNeeding(NEEDS.s3, noS3)("CLI runs with the s3 store and catalog", () => {
  it.each(PIPELINES)("%s records what a local run records", async (pipeline) => {
    const s3 = new S3Client({
      endpoint: s3Endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
    await expectSameAsLocal(pipeline, s3Config(`p-${randomBytes(4).toString("hex")}`), S3_TEST_ENV);
  });

  it.each(["minio", "chunked-minio"])(
    "runnable 0.50's %s store and minio catalog (0.50's keys, credentials in the config) record what a local run records",
    async (type) => {
      const prefix = `m-${randomBytes(4).toString("hex")}`;
      const location = (what: string) => `{endpoint_url: "${s3Endpoint}", bucket: ${BUCKET}/${prefix}/${what}, aws_access_key_id: k, aws_secret_access_key: s}`;
      const config = `run-log-store:\n  type: ${type}\n  config: ${location("runs")}\ncatalog:\n  type: minio\n  config: ${location("catalog")}\n`;
      await expectSameAsLocal("examples/catalog-pods.yaml", config, { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
    },
  );

  it("refuses a missing bucket with a message naming the setting (exit 2, no stack)", async () => {
    const dir = await project(s3Config("x", "no-such-cli-bucket"));
    const bad = await runCli(["execute", "-f", "examples/contrived.yaml", "-c", "config.yaml"], { cwd: dir, env: S3_TEST_ENV });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('run_log_store.config.bucket "no-such-cli-bucket" does not exist');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describeNeeding(noPostgres ? NEEDS.postgres : NEEDS.s3, noPostgres ?? noS3)("the TypeScript SDK with postgres + s3", () => {
  it("runs a pipeline of inline functions and a map, recorded in postgres with execution logs in s3", async () => {
    const { map, pipeline, typescript } = await import("../src/index.js");
    const prefix = `sdk-${randomBytes(4).toString("hex")}`;
    const dir = await project(
      `${postgresConfig(`sdk_${randomBytes(4).toString("hex")}`)}catalog:\n  type: s3\n  config: {bucket: ${BUCKET}, prefix: ${prefix}, endpoint_url: "${s3Endpoint}", force_path_style: true}\n`,
    );
    const s3 = new S3Client({
      endpoint: s3Endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
    const double = pipeline({ steps: [typescript({ name: "double", function: ({ item }: { item: number }) => ({ doubled: item * 2 }) })] });
    const log = await pipeline({
      name: "sdk-team",
      steps: [
        typescript({ name: "list", function: () => ({ items: [1, 2, 3] }) }),
        map({ name: "each", iterateOn: "items", iterateAs: "item", branch: double }),
      ],
    }).execute({ cwd: dir, env: S3_TEST_ENV, configFile: join(dir, "config.yaml"), warn: () => undefined });
    expect(log.status).toBe("SUCCESS");
    expect(log.parameters["doubled"]).toEqual([2, 4, 6]);
    expect(log.run_config.run_log_store).toMatchObject({ service_name: "postgres" });
    expect(JSON.stringify(log.run_config)).not.toMatch(new RegExp(new URL(postgresUrl!).password));
    expect(log.steps["list"]!.data_catalog[0]).toMatchObject({ name: "list.execution.log", catalog_handler_location: `s3://${BUCKET}/${prefix}` });
    const shown = await runCli(["runs", "show", log.run_id, "-c", "config.yaml", "--json"], { cwd: dir, env: S3_TEST_ENV });
    expect(JSON.parse(shown.stdout).steps.each.branches).toHaveProperty(["each.1"]);
  });
});
