import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { s3RunLogStorePlugin } from "../src/plugins/run-log-store/s3/index.js";
import { createS3RunLogStore } from "../src/plugins/run-log-store/s3/s3-store.js";
import type { PluginContext } from "../src/ports/plugin.js";
import { runLogStoreContract, sampleRunHeader } from "../src/testing/contracts/run-log-store.contract.js";
import { S3_TEST_ENV, holdLeaseWith, noS3, s3Endpoint } from "./helpers/store-servers.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

const BUCKET = "runnable-store-tests";
const context: PluginContext = { cwd: process.cwd(), env: S3_TEST_ENV, warn: () => undefined };
const client = () =>
  new S3Client({ endpoint: s3Endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });

async function ensureBucket(): Promise<void> {
  await client()
    .send(new CreateBucketCommand({ Bucket: BUCKET }))
    .catch((error: { name?: string }) => {
      if (error.name !== "BucketAlreadyOwnedByYou" && error.name !== "BucketAlreadyExists") throw error;
    });
}

const configFor = (prefix: string) => ({ bucket: BUCKET, prefix, endpoint_url: s3Endpoint, force_path_style: true });

async function harness() {
  const prefix = `t-${randomBytes(6).toString("hex")}`;
  const config = s3RunLogStorePlugin.configSchema.parse(configFor(prefix));
  const open = async () => createS3RunLogStore(config, context);
  return {
    store: await open(),
    reopen: open,
    holdLeaseElsewhere: (runId: string) => holdLeaseWith({ type: "s3", config: configFor(prefix) }, runId, 4_000, S3_TEST_ENV),
    cleanup: async () => undefined,
  };
}

describeNeeding(NEEDS.s3, noS3)("s3 run log store", () => {
  beforeAll(ensureBucket);

  it("runs against a server that honours conditional writes (If-None-Match, If-Match)", async () => {
    const key = `probe-${randomBytes(4).toString("hex")}`;
    const s3 = client();
    const first = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "1", IfNoneMatch: "*" }));
    await expect(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "2", IfNoneMatch: "*" }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
    await expect(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "3", IfMatch: '"0123"' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
    const second = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "4", IfMatch: first.ETag }));
    expect(second.ETag).not.toBe(first.ETag);
  });

  runLogStoreContract("s3", harness, { sharedStorage: true, leasesAcrossProcesses: true });

  it("records where it keeps runs, never credentials", async () => {
    const store = createS3RunLogStore(s3RunLogStorePlugin.configSchema.parse(configFor("p")), {
      ...context,
      env: { AWS_ACCESS_KEY_ID: "AKIDSECRET", AWS_SECRET_ACCESS_KEY: "verysecret" },
    });
    expect(JSON.stringify(store.recordedConfig)).not.toMatch(/AKIDSECRET|verysecret/);
    expect(store.recordedConfig).toEqual({ bucket: BUCKET, prefix: "p", endpoint_url: s3Endpoint, force_path_style: true });
    expect(s3RunLogStorePlugin.configSchema.safeParse({ bucket: BUCKET, aws_secret_access_key: "x" }).success).toBe(false);
  });

  it("names a missing bucket and the setting to fix", async () => {
    const store = createS3RunLogStore(s3RunLogStorePlugin.configSchema.parse({ ...configFor(""), bucket: "no-such-bucket-here" }), context);
    await expect(store.create(sampleRunHeader("r-1"))).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining("run_log_store.config.bucket"),
    });
    await expect(store.exists("r-1")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
